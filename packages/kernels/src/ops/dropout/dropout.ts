import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const kernel = kernelFromFile('dropout', 'ops/dropout/', ['./dropout_hash.wgsl', './dropout.wgsl']);

export interface DropoutOptions {
  /** drop probability in [0, 1] */
  p: number;
  /** two u32 words keying the mask (e.g. a model seed and a per-call counter) */
  seed: readonly [number, number];
  out?: GpuBuffer;
}

/** The u32 threshold and output scale of drop probability p (inverted dropout: 1 / (1 - p)). */
export function dropoutParams(p: number): { threshold: number; scale: number } {
  // p = 1 cannot be a u32 threshold (2^32): keep everything and scale by 0 instead.
  if (p >= 1) return { threshold: 0, scale: 0 };
  return { threshold: Math.min(Math.round(p * 2 ** 32), 0xffffffff), scale: 1 / (1 - p) };
}

/**
 * y = x * mask / (1 - p) with mask[i] = keep(seed, i) recomputable from the seed (no mask
 * buffer). The backward of dropout is this same call on dy with the same seed and p.
 */
export function dropout(gpu: Gpu, x: GpuBuffer, n: number, opts: DropoutOptions): GpuBuffer {
  const name = 'dropout';
  const { p, seed } = opts;
  check(Number.isInteger(n) && n >= 0, name, `bad length ${n}`);
  check(p >= 0 && p <= 1, name, `drop probability ${p} is not in [0, 1]`);
  check(seed.every((s) => Number.isInteger(s) && s >= 0 && s <= 0xffffffff), name, `seed [${seed.join(',')}] is not two u32 words`);
  checkHolds(x, n, name, 'x');
  const y = opts.out ?? gpu.alloc(n * 4, 'dropout out');
  checkHolds(y, n, name, 'out');
  check(y !== x, name, 'out must not alias x');
  const { threshold, scale } = dropoutParams(p);
  gpu.dispatch(kernel, {
    params: packParams([u(n), u(seed[0]), u(seed[1]), u(threshold), f(scale)]),
    buffers: [x, y],
    workgroups: grid(Math.ceil(n / 256)),
    label: `n=${n} p=${p}`,
  });
  return y;
}
