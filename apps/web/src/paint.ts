/** Typed-array pictures onto canvases at their full size (the page scales them with CSS). */

function put(canvas: HTMLCanvasElement, width: number, height: number, pixel: (rgba: Uint8ClampedArray) => void): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { colorSpace: 'srgb' });
  if (!ctx) throw new Error('no 2-D canvas context');
  const img = ctx.createImageData(width, height, { colorSpace: 'srgb' });
  pixel(img.data);
  ctx.putImageData(img, 0, 0);
}

/** RGB bytes (width * height * 3), opaque. */
export function paintRgb(canvas: HTMLCanvasElement, width: number, height: number, rgb: Uint8Array): void {
  put(canvas, width, height, (d) => {
    for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
      d[i] = rgb[j]!;
      d[i + 1] = rgb[j + 1]!;
      d[i + 2] = rgb[j + 2]!;
      d[i + 3] = 255;
    }
  });
}

/** One grey byte per pixel, opaque. */
export function paintGrey(canvas: HTMLCanvasElement, width: number, height: number, grey: Uint8Array): void {
  put(canvas, width, height, (d) => {
    for (let i = 0, j = 0; j < grey.length; i += 4, j++) {
      d[i] = d[i + 1] = d[i + 2] = grey[j]!;
      d[i + 3] = 255;
    }
  });
}
