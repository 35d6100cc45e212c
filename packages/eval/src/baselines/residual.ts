/**
 * Noise residuals of an RGB image, computed once per image in exact integer arithmetic (so the
 * fast per-patch path and a straightforward reference agree bit for bit).
 *
 * - Luminance is kept as `299 R + 587 G + 114 B` (BT.601 weights times 1000, an int32), so one
 *   luminance unit of the 0..255 scale is 1000 here.
 * - The residual is the 3rd-order high-pass `[1, -3, 3, -1]` along the row (horizontal) or the
 *   column (vertical): `h(y, x) = L(y, x) - 3 L(y, x+1) + 3 L(y, x+2) - L(y, x+3)`, defined for
 *   x in [0, W - 4] (vertical likewise for y in [0, H - 4]).
 */
import type { RgbImage } from '@exif-lang/data';

/** Scale of the integer luminance: one 0..255 unit. */
export const LUMA_SCALE = 1000;

/** Extent of the 3rd-order residual along its axis (pixels it reads). */
export const RESIDUAL_SPAN = 4;

/** Integer luminance, width * height, `299 R + 587 G + 114 B`. */
export function luminance(img: RgbImage): Int32Array {
  const n = img.width * img.height;
  if (img.data.length < n * 3) throw new Error(`image data has ${img.data.length} bytes, expected ${n * 3}`);
  const d = img.data;
  const out = new Int32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = 299 * d[j] + 587 * d[j + 1] + 114 * d[j + 2];
  return out;
}

/** One channel (0 = R, 1 = G, 2 = B) as int32, width * height. */
export function channel(img: RgbImage, c: number): Int32Array {
  const n = img.width * img.height;
  const d = img.data;
  const out = new Int32Array(n);
  for (let i = 0, j = c; i < n; i++, j += 3) out[i] = d[j];
  return out;
}

/** The part of the plane where the residual along `axis` is defined: x < xEnd, y < yEnd. */
export function residualExtent(width: number, height: number, axis: 'h' | 'v'): { xEnd: number; yEnd: number } {
  return axis === 'h' ? { xEnd: width - RESIDUAL_SPAN + 1, yEnd: height } : { xEnd: width, yEnd: height - RESIDUAL_SPAN + 1 };
}

/**
 * The 3rd-order residual of a plane (width x height, row-major) along x (`'h'`) or y (`'v'`);
 * 0 where it is undefined (the last 3 columns, or rows).
 */
export function residual3(plane: Int32Array, width: number, height: number, axis: 'h' | 'v'): Int32Array {
  const out = new Int32Array(width * height);
  const step = axis === 'h' ? 1 : width;
  const { xEnd, yEnd } = residualExtent(width, height, axis);
  for (let y = 0; y < yEnd; y++) {
    const row = y * width;
    for (let x = 0; x < xEnd; x++) {
      const i = row + x;
      out[i] = plane[i] - 3 * plane[i + step] + 3 * plane[i + 2 * step] - plane[i + 3 * step];
    }
  }
  return out;
}

/**
 * Quantised, truncated residual levels `sign(r) * min(T, floor(|r| / Q + 1/2))` in [-T, T],
 * with Q = `qInt` the step in the residual's units (q * LUMA_SCALE for luminance, q in 0..255
 * units), computed as floor((2|r| + Q) / 2Q): integer-exact. Where the residual is undefined
 * (stored as 0) the level is 0.
 */
export function residualLevels(res: Int32Array, qInt: number, t: number): Int8Array {
  const out = new Int8Array(res.length);
  const q2 = 2 * qInt;
  for (let i = 0; i < res.length; i++) {
    const r = res[i];
    const a = r < 0 ? -r : r;
    let v = Math.floor((2 * a + qInt) / q2);
    if (v > t) v = t;
    out[i] = r < 0 ? -v : v;
  }
  return out;
}

/**
 * `offset + min(|residual|, clip)` where the residual is defined, -1 elsewhere: the bins of the
 * per-patch noise-level histogram.
 */
export function absResidualBins(res: Int32Array, width: number, height: number, axis: 'h' | 'v', clip: number, offset: number, out?: Int32Array): Int32Array {
  const bins = out ?? new Int32Array(width * height);
  bins.fill(-1);
  const { xEnd, yEnd } = residualExtent(width, height, axis);
  for (let y = 0; y < yEnd; y++) {
    const row = y * width;
    for (let x = 0; x < xEnd; x++) {
      const r = res[row + x];
      const a = r < 0 ? -r : r;
      bins[row + x] = offset + (a > clip ? clip : a);
    }
  }
  return bins;
}
