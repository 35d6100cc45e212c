/** Reference for cast.wgsl on one value (f32 inputs are the f32 values as numbers). */
import type { Dtype } from './cast.ts';

export function castRef(v: number, from: Dtype, to: Dtype): number {
  if (from === to) return v;
  if (to === 'f32') return Math.fround(v);
  if (from !== 'f32') return to === 'u32' ? v >>> 0 : v | 0;
  if (Number.isNaN(v)) return 0;
  // WGSL clamps to the integers that are also f32 values: [0, 2^32 - 256] and [-2^31, 2^31 - 128].
  const t = Math.trunc(v) + 0; // + 0: integers have no -0
  return to === 'u32' ? Math.min(Math.max(t, 0), 4294967040) : Math.min(Math.max(t, -2147483648), 2147483520);
}
