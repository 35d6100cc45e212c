/**
 * JPEG quality estimate from the file's quantisation tables (DQT segments): the luminance
 * table's mean ratio to the IJG standard table gives the libjpeg scale factor S, inverted to a
 * quality with libjpeg's own formula (S = 5000 / q below 50, 200 - 2q above). Encoders that do
 * not scale the IJG table (some cameras) still get a comparable "how coarse" number.
 */

/** ITU T.81 Annex K luminance table, natural (row-major) order. */
const STD_LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
/** zig-zag index -> natural index (DQT stores tables in zig-zag order). */
const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/** Quantisation tables by id (0 = luminance normally), natural order; empty when not a JPEG. */
export function quantTables(bytes: Uint8Array): Map<number, Uint16Array> {
  const out = new Map<number, Uint16Array>();
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return out;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) break;
    const marker = bytes[i + 1];
    if (marker === 0xd9 || marker === 0xda) break; // image data follows: every table came before
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker === 0xdb) {
      let p = i + 4;
      const end = Math.min(bytes.length, i + 2 + len);
      while (p < end) {
        const precision = bytes[p] >> 4;
        const id = bytes[p] & 15;
        p++;
        const t = new Uint16Array(64);
        for (let k = 0; k < 64 && p < end; k++) {
          t[ZIGZAG[k]] = precision ? (bytes[p] << 8) | bytes[p + 1] : bytes[p];
          p += precision ? 2 : 1;
        }
        out.set(id, t);
      }
    }
    i += 2 + len;
  }
  return out;
}

/** IJG-equivalent quality 1..100 of the luminance table, or undefined without one. */
export function estimateJpegQuality(bytes: Uint8Array): number | undefined {
  const t = quantTables(bytes).get(0);
  if (!t) return undefined;
  let ratio = 0;
  for (let k = 0; k < 64; k++) ratio += t[k] / STD_LUMA[k];
  const s = (ratio / 64) * 100;
  const q = s <= 100 ? (200 - s) / 2 : 5000 / s;
  return Math.max(1, Math.min(100, q));
}
