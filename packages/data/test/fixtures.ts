/** Small images the tests build themselves (never the shared photos). */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = dirname(fileURLToPath(import.meta.url));
/** ../shared next to the repository root; tests using it skip when absent. */
export const SHARED = resolve(here, '../../../../shared');
export const PHOTOS = join(SHARED, 'photos');
export const CORRUPT = join(SHARED, 'corrupt-jpegs');
export const hasPhotos = existsSync(PHOTOS);
export const hasCorrupt = existsSync(CORRUPT);

export async function tempDir(prefix = 'exif-lang-data-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Deterministic noisy RGB pixels, so JPEG blocks are not flat. */
export function noisePixels(width: number, height: number, seed = 1): Buffer {
  const px = Buffer.alloc(width * height * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < px.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    px[i] = (s & 0xff) ^ ((i / 3) & 0x3f);
  }
  return px;
}

export const CANON_EXIF = {
  IFD0: { Make: 'Canon', Model: 'Canon EOS 40D', Software: 'Firmware 1.0.3', Artist: 'Jane Doe' },
  IFD2: {
    ExposureTime: '1/250', FNumber: '28/10', ISOSpeedRatings: '400', FocalLength: '30/1',
    Flash: '16', ExposureProgram: '3', MeteringMode: '5', WhiteBalance: '0', ColorSpace: '1',
    SceneCaptureType: '0', ExposureBiasValue: '-2/3', BodySerialNumber: '1234567',
  },
} as const;

export interface JpegOptions {
  width?: number;
  height?: number;
  seed?: number;
  exif?: Record<string, Record<string, string>>;
  quality?: number;
}

export async function makeJpeg(o: JpegOptions = {}): Promise<Buffer> {
  const width = o.width ?? 64;
  const height = o.height ?? 48;
  let img = sharp(noisePixels(width, height, o.seed ?? 1), { raw: { width, height, channels: 3 } }).jpeg({ quality: o.quality ?? 90 });
  if (o.exif) img = img.withExif(o.exif);
  return img.toBuffer();
}

/** Cuts the APP1 (EXIF) segment short while leaving its declared length, then the rest of the file. */
export function truncateExifSegment(jpeg: Buffer, keep = 40): Buffer {
  let i = 2;
  while (i + 4 <= jpeg.length) {
    const marker = jpeg[i + 1];
    const len = jpeg.readUInt16BE(i + 2);
    if (marker === 0xe1) return Buffer.concat([jpeg.subarray(0, i + 4 + keep)]);
    i += 2 + len;
  }
  throw new Error('no APP1 segment');
}

export async function writeFiles(dir: string, files: Record<string, Buffer | string>): Promise<void> {
  for (const [name, data] of Object.entries(files)) {
    const p = join(dir, name);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, data);
  }
}

/** A WebDataset shard as img2dataset writes it: key.jpg + key.json (+ key.txt). */
export async function makeShard(path: string, samples: Array<{ key: string; jpg: Buffer; json?: Record<string, unknown> }>): Promise<void> {
  const tar = (await import('tar-stream')).default;
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(path));
  for (const s of samples) {
    pack.entry({ name: `${s.key}.jpg` }, s.jpg);
    if (s.json) pack.entry({ name: `${s.key}.json` }, JSON.stringify(s.json));
    pack.entry({ name: `${s.key}.txt` }, 'a caption');
  }
  pack.finalize();
  await done;
}

/** img2dataset's `exif` field: a JSON string of exifread's printable tags. */
export const EXIFREAD_JSON = JSON.stringify({
  'Image Make': 'NIKON CORPORATION', 'Image Model': 'NIKON D3200', 'Image Artist': 'Someone',
  'EXIF ExposureTime': '1/500', 'EXIF FNumber': '28/5', 'EXIF ISOSpeedRatings': '200',
  'EXIF FocalLength': '35', 'EXIF ExposureBiasValue': '-1/3', 'EXIF LensSpecification': '[18, 55, 7/2, 28/5]',
  'EXIF BodySerialNumber': '123', 'GPS GPSLatitude': '[1, 2, 3]', 'Thumbnail JPEGInterchangeFormat': '1234',
});

/** Rewrites the APP1 (EXIF) segment to keep only its first `keep` payload bytes; the image after it stays intact. */
export function shortenExifSegment(jpeg: Buffer, keep = 40): Buffer {
  let i = 2;
  while (i + 4 <= jpeg.length) {
    const len = jpeg.readUInt16BE(i + 2);
    if (jpeg[i + 1] === 0xe1) {
      const head = Buffer.from([0xff, 0xe1, 0, 0]);
      head.writeUInt16BE(keep + 2, 2);
      return Buffer.concat([jpeg.subarray(0, i), head, jpeg.subarray(i + 4, i + 4 + keep), jpeg.subarray(i + 2 + len)]);
    }
    i += 2 + len;
  }
  throw new Error('no APP1 segment');
}
