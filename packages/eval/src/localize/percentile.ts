/**
 * Exact order statistics of a GPU array by radix selection: four passes of 8-bit digit
 * histograms (kernels' radixHistogram), most significant first, each reading back 256 counts.
 * Used for the mean-shift radius, numpy's 10th percentile of all pairwise distances.
 */
import { fill, keyFloat, radixHistogram, type Gpu, type GpuBuffer } from '@exif-lang/kernels';

/** The k-th smallest (0-based) of x[0..n). */
export async function kthSmallest(gpu: Gpu, x: GpuBuffer, n: number, k: number): Promise<number> {
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new Error(`kthSmallest: rank ${k} outside 0..${n - 1}`);
  const hist = gpu.alloc(256 * 4, 'radix histogram');
  let prefix = 0;
  let rank = k;
  try {
    for (const shift of [24, 16, 8, 0]) {
      fill(gpu, 256, 0, { dtype: 'u32', out: hist });
      radixHistogram(gpu, x, n, shift, prefix, hist);
      const h = await gpu.readU32(hist);
      let digit = 0;
      while (rank >= h[digit]) rank -= h[digit++];
      prefix = (prefix | (digit << shift)) >>> 0;
    }
  } finally {
    hist.release();
  }
  return keyFloat(prefix);
}

/** numpy.percentile(x, q) with its default linear interpolation between order statistics. */
export async function percentile(gpu: Gpu, x: GpuBuffer, n: number, q: number): Promise<number> {
  const pos = (q / 100) * (n - 1);
  const lo = Math.floor(pos);
  const t = pos - lo;
  const a = await kthSmallest(gpu, x, n, lo);
  if (t === 0 || lo + 1 >= n) return a;
  const b = await kthSmallest(gpu, x, n, lo + 1);
  // numpy's _lerp: a + (b - a) t, evaluated from the nearer end for t >= 0.5
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/** numpy.percentile of a small host array (linear interpolation). */
export function percentileHost(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  const pos = (q / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const t = pos - lo;
  if (t === 0 || lo + 1 >= s.length) return s[lo];
  return t >= 0.5 ? s[lo + 1] - (s[lo + 1] - s[lo]) * (1 - t) : s[lo] + (s[lo + 1] - s[lo]) * t;
}
