/**
 * The hand-crafted JPEG descriptor of the probe baseline: histograms of the 8x8 block DCT
 * coefficients of the luminance on the image's own block grid. A JPEG's quantisation step q for
 * a coefficient leaves its values clustered at multiples of q, so the low-frequency histograms
 * encode the quantisation table (the camera's or editor's JPEG settings).
 */
import type { RgbImage } from '@exif-lang/data';

/** AC coefficients used, in zig-zag order after DC (the low frequencies, where q is small enough to show). */
export const DCT_COEFFS = [1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5];
/** histogram bins per coefficient: integer values -BINS_HALF..BINS_HALF (outside saturates) */
export const BINS_HALF = 10;

const C = (() => {
  // orthonormal DCT-II basis c[u][x]
  const c = new Float64Array(64);
  for (let u = 0; u < 8; u++) for (let x = 0; x < 8; x++) c[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  return c;
})();

/** 2-D orthonormal DCT of one 8x8 block (row-major in, row-major out), separable. */
export function dct8x8(block: Float64Array): Float64Array {
  const tmp = new Float64Array(64);
  const out = new Float64Array(64);
  for (let y = 0; y < 8; y++) for (let u = 0; u < 8; u++) {
    let s = 0;
    for (let x = 0; x < 8; x++) s += C[u * 8 + x] * block[y * 8 + x];
    tmp[y * 8 + u] = s;
  }
  for (let u = 0; u < 8; u++) for (let v = 0; v < 8; v++) {
    let s = 0;
    for (let y = 0; y < 8; y++) s += C[v * 8 + y] * tmp[y * 8 + u];
    out[v * 8 + u] = s;
  }
  return out;
}

/**
 * Normalised histograms (each coefficient's sums to 1), DCT_COEFFS.length * (2 * BINS_HALF + 1)
 * values, over the blocks of a centred crop of at most `maxSide` px whose origin is a multiple
 * of 8 (the JPEG grid stays aligned). Luminance is BT.601 Y - 128 as JPEG encodes it.
 */
export function dctHistogram(image: RgbImage, maxSide = 1024): Float32Array {
  const bins = 2 * BINS_HALF + 1;
  const hist = new Float64Array(DCT_COEFFS.length * bins);
  const w = Math.min(image.width, maxSide) & ~7;
  const h = Math.min(image.height, maxSide) & ~7;
  const x0 = ((image.width - w) >> 1) & ~7;
  const y0 = ((image.height - h) >> 1) & ~7;
  const block = new Float64Array(64);
  let blocks = 0;
  for (let by = 0; by < h; by += 8) for (let bx = 0; bx < w; bx += 8) {
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
      const i = ((y0 + by + y) * image.width + x0 + bx + x) * 3;
      block[y * 8 + x] = 0.299 * image.data[i] + 0.587 * image.data[i + 1] + 0.114 * image.data[i + 2] - 128;
    }
    const d = dct8x8(block);
    DCT_COEFFS.forEach((k, j) => {
      const v = Math.max(-BINS_HALF, Math.min(BINS_HALF, Math.round(d[k])));
      hist[j * bins + v + BINS_HALF]++;
    });
    blocks++;
  }
  return Float32Array.from(hist, (v) => (blocks ? v / blocks : 0));
}
