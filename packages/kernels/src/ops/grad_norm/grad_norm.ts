import type { Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const kernel = kernelFromFile('grad_norm', 'ops/grad_norm/', './grad_norm.wgsl');

/**
 * Total gradient norm and clip coefficient (PyTorch clip_grad_norm_, norm 2) from `count`
 * per-tensor sums of squares (see sumSquares with outOffset). Returns a 2-element buffer
 * [norm, coef], coef = min(1, maxNorm / (norm + 1e-6)): pass it to adamStep / sgdStep as
 * `gradScaleBuffer` with `gradScaleIndex: 1`, so clipping needs no readback. maxNorm may be
 * Infinity (norm only, coef 1).
 */
export function gradNorm(gpu: Gpu, sqSums: GpuBuffer, count: number, maxNorm: number, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  const name = 'grad_norm';
  check(Number.isInteger(count) && count >= 0, name, `bad count ${count}`);
  check(maxNorm > 0, name, `maxNorm must be positive, got ${maxNorm}`);
  checkHolds(sqSums, count, name, 'sums of squares');
  const out = opts.out ?? gpu.alloc(8, 'grad norm');
  checkHolds(out, 2, name, 'out');
  check(out !== sqSums, name, 'out must not alias the sums');
  gpu.dispatch(kernel, {
    params: packParams([u(count), f(maxNorm)]),
    buffers: [sqSums, out],
    workgroups: [1],
    label: `${count} tensors, max ${maxNorm}`,
  });
  return out;
}

/** Where an optimizer kernel reads its gradient scale: a GPU value times a host factor. */
export interface GradScaleOptions {
  /** host factor multiplied into every gradient (e.g. 1 / accumulation steps) */
  gradScale?: number;
  /** GPU buffer holding a further factor (e.g. gradNorm's output, index 1) */
  gradScaleBuffer?: GpuBuffer;
  gradScaleIndex?: number;
}

const ones = new WeakMap<Gpu, GpuBuffer>();

/**
 * Resolves the gradient scale of an optimizer step into (buffer, index, factor). Without a
 * buffer the kernels bind a per-device constant 1 (uploaded once), so one pipeline serves both.
 */
export function resolveGradScale(gpu: Gpu, name: string, o: GradScaleOptions): { buffer: GpuBuffer; index: number; factor: number } {
  const factor = o.gradScale ?? 1;
  check(Number.isFinite(factor), name, `gradScale must be finite, got ${factor}`);
  if (o.gradScaleBuffer) {
    const index = o.gradScaleIndex ?? 0;
    check(Number.isInteger(index) && index >= 0, name, `bad gradScaleIndex ${index}`);
    checkHolds(o.gradScaleBuffer, index + 1, name, 'gradScaleBuffer');
    return { buffer: o.gradScaleBuffer, index, factor };
  }
  let one = ones.get(gpu);
  if (!one || one.isReleased) {
    one = gpu.upload(new Float32Array([1]), 'constant 1');
    ones.set(gpu, one);
  }
  return { buffer: one, index: 0, factor };
}
