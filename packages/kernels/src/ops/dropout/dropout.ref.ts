/** Float64 reference of dropout.wgsl (same integer hash, so the masks agree exactly). */

function lowbias32(v: number): number {
  let h = v >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Whether element i survives (the kernel's keep(seed, i)). */
export function dropoutKeepRef(seed0: number, seed1: number, threshold: number, i: number): boolean {
  const k1 = lowbias32(seed0);
  const k2 = lowbias32((seed1 ^ k1) >>> 0);
  const r = lowbias32((lowbias32((i ^ k1) >>> 0) + k2) >>> 0);
  return r >= threshold;
}

/** The scale is rounded to f32 as the kernel receives it. */
export function dropoutRef(x: ArrayLike<number>, seed0: number, seed1: number, threshold: number, scale: number): Float64Array {
  return Float64Array.from({ length: x.length }, (_, i) => (dropoutKeepRef(seed0, seed1, threshold, i) ? Math.fround(x[i] * Math.fround(scale)) : 0));
}
