import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile, type Kernel } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { matmul } from '../matmul/matmul.ts';

const scaleFromValue = kernelFromFile('infonce_scale', 'ops/infonce/', './infonce_scale.wgsl', 'from_value');
const scaleFromBuffer = kernelFromFile('infonce_scale_buffer', 'ops/infonce/', './infonce_scale.wgsl', 'from_buffer');
/** A row kernel: infonce_rows.wgsl (Params, row index, workgroup sum) followed by its own file. */
function rowKernel(name: string, file: string): Kernel {
  return kernelFromFile(name, 'ops/infonce/', ['./infonce_rows.wgsl', file]);
}

const normalizeKernel = rowKernel('infonce_normalize', './infonce_normalize.wgsl');
const statsKernel = kernelFromFile('infonce_stats', 'ops/infonce/', './infonce_stats.wgsl');
const finalizeKernel = kernelFromFile('infonce_finalize', 'ops/infonce/', './infonce_finalize.wgsl');
const gradKernel = kernelFromFile('infonce_grad', 'ops/infonce/', './infonce_grad.wgsl');
const normalizeBackwardKernel = rowKernel('infonce_normalize_backward', './infonce_normalize_backward.wgsl');

export interface InfoNceShape {
  /** Batch size: N image embeddings against N text embeddings (row i matches row i). */
  N: number;
  /** Embedding width. */
  D: number;
}

/**
 * The logit scale s. A number (the paper fixes s = 100), or a 1-element f32 GPU buffer holding
 * s, or, with `log: true`, log s (the learned temperature of CLIP; stays on the GPU).
 */
export type LogitScale = number | { buffer: GpuBuffer; log?: boolean };

export interface InfoNceOptions {
  scale: LogitScale;
  /** Multiplies the loss and every gradient (a loss weight); default 1. */
  weight?: number;
  /**
   * Compute dImg and dTxt (default true). false skips the three O(N^2) gradient passes and the
   * two gradient products: loss, dScale and the hit counts only (validation, logging).
   */
  grads?: boolean;
  /** Destinations (allocated from the pool when absent). */
  loss?: GpuBuffer;
  dScale?: GpuBuffer;
  correct?: GpuBuffer;
  dImg?: GpuBuffer;
  dTxt?: GpuBuffer;
}

export interface InfoNceResult {
  /** f32 [1]: weight * (CE(image -> text) + CE(text -> image)) / 2, averaged over N. */
  loss: GpuBuffer;
  /**
   * f32 [1]: d loss / d (the scale parameter as given): d/ds for a number or a buffer holding s,
   * d/d(log s) = s d/ds for `log: true`.
   */
  dScale: GpuBuffer;
  /** u32 [2]: top-1 hits image -> text (rows) and text -> image (columns); ties to the lower index. */
  correct: GpuBuffer;
  /** f32 [N, D]: d loss / d img and d loss / d txt (through the normalisation); absent with grads: false. */
  dImg?: GpuBuffer;
  dTxt?: GpuBuffer;
}

/**
 * Fused symmetric InfoNCE (CLIP loss) over unnormalised embeddings img [N, D] and txt [N, D]:
 * normalises both, forms the N x N cosine matrix S = a b^T (one matmul), reduces every row and
 * column of L = s S to its logsumexp, softmax-weighted cosine and top-1 hit in one pass, turns
 * S into d loss / d S in place, and returns d loss / d img, d loss / d txt (two matmuls and the
 * normalisation backward) and d loss / d scale. Nothing is read back; the caller reads `loss`
 * when it wants to log it.
 *
 * Given cached embeddings this is exactly what gradient caching needs: the loss of the full
 * batch and its gradients with respect to the embeddings, to back-propagate chunk by chunk.
 * Memory: the [N, N] matrix (4 MB at N = 1024) plus 4 [N, D] temporaries.
 */
export function infoNce(gpu: Gpu, img: GpuBuffer, txt: GpuBuffer, shape: InfoNceShape, opts: InfoNceOptions): InfoNceResult {
  const { N, D } = shape;
  const name = 'infonce';
  check(Number.isInteger(N) && N >= 1 && Number.isInteger(D) && D >= 1, name, `N and D must be positive integers, got N=${N} D=${D}`);
  check(N * N * 4 <= gpu.limits.maxStorageBufferBindingSize, name, () => `the ${N}x${N} logits matrix exceeds the device's binding size; use gradient caching with a smaller N`);
  check(img.length >= N * D, name, () => `img ('${img.label}') holds ${img.length} < N*D = ${N * D} elements`);
  check(txt.length >= N * D, name, () => `txt ('${txt.label}') holds ${txt.length} < N*D = ${N * D} elements`);
  const weight = opts.weight ?? 1;
  check(Number.isFinite(weight), name, `weight must be finite, got ${weight}`);
  const sc = opts.scale;
  if (typeof sc === 'number') check(Number.isFinite(sc) && sc > 0, name, `the logit scale must be a positive number, got ${sc}`);
  else check(sc.buffer.length >= 1, name, `the logit scale buffer ('${sc.buffer.label}') is empty`);
  const grads = opts.grads ?? true;
  for (const [key, buf, n] of [['dImg', opts.dImg, N * D], ['dTxt', opts.dTxt, N * D], ['loss', opts.loss, 1], ['dScale', opts.dScale, 1], ['correct', opts.correct, 2]] as const) {
    if (buf) check(buf.length >= n, name, () => `${key} ('${buf.label}') holds ${buf.length} < ${n} elements`);
  }
  const label = `N=${N} D=${D}${typeof sc === 'number' ? ` s=${sc}` : sc.log ? ' log s (buffer)' : ' s (buffer)'} w=${weight}`;
  const sizes = packParams([u(N), u(D)]);
  const rows = grid(2 * N);

  // 0. s and d s / d param into a 2-float buffer.
  const scal = gpu.alloc(8, 'infonce scale');
  if (typeof sc === 'number') {
    gpu.dispatch(scaleFromValue, { params: packParams([f(sc)]), buffers: [scal], workgroups: [1], label });
  } else {
    gpu.dispatch(scaleFromBuffer, { overrides: { LOG: sc.log ? 1 : 0 }, buffers: [sc.buffer, scal], workgroups: [1], label });
  }

  // 1. Normalised rows.
  const an = gpu.alloc(N * D * 4, 'infonce img normalised');
  const bn = gpu.alloc(N * D * 4, 'infonce txt normalised');
  const rnorm = gpu.alloc(2 * N * 4, 'infonce 1/norm');
  gpu.dispatch(normalizeKernel, { params: sizes, buffers: [img, txt, an, bn, rnorm], workgroups: rows, label });

  // 2. Cosines S = an . bn^T.
  const S = matmul(gpu, an, bn, { M: N, N: N, K: D, transB: true });

  // 3. Row and column statistics, 4. the scalars.
  const stats = gpu.alloc(2 * N * 16, 'infonce stats');
  gpu.dispatch(statsKernel, { params: packParams([u(N)]), buffers: [scal, S, stats], workgroups: rows, label });
  const loss = opts.loss ?? gpu.alloc(4, 'infonce loss');
  const dScale = opts.dScale ?? gpu.alloc(4, 'infonce dscale');
  const correct = opts.correct ?? gpu.alloc(8, 'infonce correct');
  const lossParams = packParams([u(N), f(weight)]);
  gpu.dispatch(finalizeKernel, { params: lossParams, buffers: [scal, stats, loss, dScale, correct], workgroups: [1], label });

  const result: InfoNceResult = { loss, dScale, correct };
  if (grads) {
    // 5. G = d loss / d S in place of S, 6. its products with the normalised embeddings.
    gpu.dispatch(gradKernel, { params: lossParams, buffers: [scal, stats, S], workgroups: grid(Math.ceil((N * N) / 256)), label });
    const dan = matmul(gpu, S, bn, { M: N, N: D, K: N });
    const dbn = matmul(gpu, S, an, { M: N, N: D, K: N, transA: true });
    // 7. Through the normalisation.
    const dImg = opts.dImg ?? gpu.alloc(N * D * 4, 'infonce dimg');
    const dTxt = opts.dTxt ?? gpu.alloc(N * D * 4, 'infonce dtxt');
    gpu.dispatch(normalizeBackwardKernel, { params: sizes, buffers: [an, bn, dan, dbn, rnorm, dImg, dTxt], workgroups: rows, label });
    dan.release();
    dbn.release();
    result.dImg = dImg;
    result.dTxt = dTxt;
  }
  for (const b of [scal, an, bn, rnorm, S, stats]) b.release();
  return result;
}
