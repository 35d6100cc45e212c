/**
 * Photo bytes to RGB pixels in the browser, the way @exif-lang/data's decodeImage does with
 * sharp in Node: no colour-space conversion (an embedded ICC profile is ignored, as sharp's
 * keepIccProfile leaves the decoder's values alone), no EXIF orientation (pixels stay in sensor
 * order), no premultiplication, alpha dropped. The browser's own decoder does the work
 * (createImageBitmap), and a 2-D canvas hands the bytes back.
 *
 * Where this can differ from sharp (the browser test measures it on a JPEG and a PNG): PNG is
 * lossless, so the pixels are identical; JPEG decoders may differ in IDCT and chroma upsampling
 * by a grey level or so; a semi-transparent PNG pixel passes through the canvas's premultiplied
 * storage and can come back rounded (sharp drops alpha without touching the colour).
 */
import type { RgbImage } from '@exif-lang/data';

export async function decodeRgb(bytes: Uint8Array, type = ''): Promise<RgbImage> {
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], type ? { type } : {});
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', imageOrientation: 'none', premultiplyAlpha: 'none' });
  try {
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { colorSpace: 'srgb', willReadFrequently: true });
    if (!ctx) throw new Error('no 2-D canvas context');
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
      data[j] = rgba[i]!;
      data[j + 1] = rgba[i + 1]!;
      data[j + 2] = rgba[i + 2]!;
    }
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}
