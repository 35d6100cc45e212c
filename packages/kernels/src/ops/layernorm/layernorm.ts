import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds, fmtShape } from '../shape.ts';
import { affineGrad } from '../batchnorm/affine_grad.ts';
import { checkDistinct, outputBuffer } from '../batchnorm/buffers.ts';
import { rowKernel, rowsAndCols, rowWorkgroupSize } from './rows.ts';

const forwardKernel = rowKernel('layernorm', 'ops/layernorm/', './layernorm.wgsl');
const backwardKernel = rowKernel('layernorm_backward', 'ops/layernorm/', './layernorm_backward.wgsl');

export interface LayerNormParams {
  /** [C] f32 */
  gamma: GpuBuffer;
  /** [C] f32 */
  beta: GpuBuffer;
}

export interface LayerNormResult {
  /** Same shape as x. */
  y: GpuBuffer;
  /** [2, rows] f32: per-row mean, then invstd = 1/sqrt(var + eps); input of the backward. */
  stats: GpuBuffer;
}

/**
 * Layer norm over the last axis of x (any leading shape; e.g. [B, T, 768]). `eps` defaults to
 * PyTorch's 1e-5; DistilBERT uses 1e-12.
 */
export function layerNorm(
  gpu: Gpu,
  x: GpuBuffer,
  shape: readonly number[],
  params: LayerNormParams,
  opts: { eps?: number; out?: GpuBuffer } = {},
): LayerNormResult {
  const kernel = 'layernorm';
  const { rows, cols } = rowsAndCols(kernel, shape);
  const eps = opts.eps ?? 1e-5;
  check(cols >= 1, kernel, () => `cannot normalize empty rows of ${fmtShape(shape)}`);
  check(eps >= 0, kernel, `eps ${eps} must be >= 0`);
  checkHolds(x, rows * cols, kernel, 'x');
  checkHolds(params.gamma, cols, kernel, 'gamma');
  checkHolds(params.beta, cols, kernel, 'beta');
  checkDistinct(kernel, { x, ...params, out: opts.out });
  const y = outputBuffer(gpu, kernel, opts.out, rows * cols, 'layernorm out');
  const stats = gpu.alloc(2 * rows * 4, 'layernorm stats');
  const wg = rowWorkgroupSize(rows, cols);
  gpu.dispatch(forwardKernel, {
    overrides: { WG: wg },
    params: packParams([u(rows), u(cols), f(eps)]),
    buffers: [x, params.gamma, params.beta, y, stats],
    workgroups: grid(rows),
    label: `${rows}x${cols} eps=${eps} wg${wg}`,
  });
  return { y, stats };
}

/**
 * Backward of layerNorm: dx per row (one workgroup per row), dgamma = sum_rows dy * xhat and
 * dbeta = sum_rows dy (deterministic two-stage column reduction). `stats` is the forward's.
 */
export function layerNormBackward(
  gpu: Gpu,
  dy: GpuBuffer,
  x: GpuBuffer,
  shape: readonly number[],
  gamma: GpuBuffer,
  stats: GpuBuffer,
  opts: { dxOut?: GpuBuffer; dgammaOut?: GpuBuffer; dbetaOut?: GpuBuffer } = {},
): { dx: GpuBuffer; dgamma: GpuBuffer; dbeta: GpuBuffer } {
  const kernel = 'layernorm_backward';
  const { rows, cols } = rowsAndCols(kernel, shape);
  check(cols >= 1, kernel, () => `empty rows in ${fmtShape(shape)}`);
  checkHolds(gamma, cols, kernel, 'gamma');
  checkDistinct(kernel, { dy, x, gamma, stats, ...opts });
  const dx = outputBuffer(gpu, kernel, opts.dxOut, rows * cols, 'layernorm dx');
  // affineGrad checks dy, x and stats.
  const { dgamma, dbeta } = affineGrad(gpu, kernel, dy, x, stats, rows, cols, { perRow: true, dgammaOut: opts.dgammaOut, dbetaOut: opts.dbetaOut });
  const wg = rowWorkgroupSize(rows, cols);
  gpu.dispatch(backwardKernel, {
    overrides: { WG: wg },
    params: packParams([u(rows), u(cols)]),
    buffers: [dy, x, gamma, stats, dx],
    workgroups: grid(rows),
    label: `${rows}x${cols} wg${wg}`,
  });
  return { dx, dgamma, dbeta };
}
