import type { Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const kernel = kernelFromFile('radix_histogram', 'ops/radix_select/', './radix_select.wgsl');
const MAX_GROUPS = 1024;

/** The order-preserving u32 key of an f32 (what the kernel compares); exported for the selection driver and tests. */
export function floatKey(v: number): number {
  const b = new Uint32Array(new Float32Array([v]).buffer)[0];
  return (b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
}

/** The f32 whose key is k (inverse of floatKey). */
export function keyFloat(k: number): number {
  const b = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0;
  return new Float32Array(new Uint32Array([b]).buffer)[0];
}

/**
 * Adds to `hist` ([256] u32, zeroed by the caller) the histogram of digit (key >> shift) & 255
 * over the elements of x[0..n) whose key agrees with `prefix` above bit shift + 8.
 * shift is 24, 16, 8 or 0 (most significant digit first).
 */
export function radixHistogram(gpu: Gpu, x: GpuBuffer, n: number, shift: number, prefix: number, hist: GpuBuffer): void {
  const name = 'radix_histogram';
  check(Number.isInteger(n) && n >= 1, name, `bad length ${n}`);
  check(shift === 24 || shift === 16 || shift === 8 || shift === 0, name, `shift ${shift} is not a digit boundary`);
  checkHolds(x, n, name, 'x');
  checkHolds(hist, 256, name, 'hist');
  const groups = Math.min(MAX_GROUPS, Math.ceil(n / 256));
  gpu.dispatch(kernel, {
    params: packParams([u(n), u(shift), u(prefix >>> 0), u(groups)]),
    buffers: [x, hist],
    workgroups: [groups, 1, 1],
    label: `n=${n} shift ${shift}`,
  });
}
