import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds, fmtShape } from '../shape.ts';
import { rowsAndCols } from '../layernorm/rows.ts';
import { affineGrad, rowBlocks, CHANNEL_TILE } from './affine_grad.ts';
import { checkDistinct, outputBuffer } from './buffers.ts';

const statsPartialKernel = kernelFromFile('bn_stats_partial', 'ops/batchnorm/', './bn_stats.wgsl', 'partial');
const statsFinalizeKernel = kernelFromFile('bn_stats_finalize', 'ops/batchnorm/', './bn_stats.wgsl', 'finalize');
const applyKernel = kernelFromFile('bn_apply', 'ops/batchnorm/', './bn_apply.wgsl', 'main');
const applyEvalKernel = kernelFromFile('bn_apply_eval', 'ops/batchnorm/', './bn_apply.wgsl', 'main_eval');
const backwardKernel = kernelFromFile('bn_backward', 'ops/batchnorm/', './bn_backward.wgsl', 'main');
const backwardReluKernel = kernelFromFile('bn_backward_relu', 'ops/batchnorm/', './bn_backward.wgsl', 'main_relu');

/** Learned parameters and running statistics of a batch norm over C channels, each [C] f32. */
export interface BatchNormParams {
  gamma: GpuBuffer;
  beta: GpuBuffer;
  runningMean: GpuBuffer;
  runningVar: GpuBuffer;
}

export interface BatchNormOptions {
  /** Added to the variance (PyTorch default 1e-5). */
  eps?: number;
  /** Fuse max(y, 0) into the output; the backward then needs that output (`reluOutput`). */
  relu?: boolean;
  out?: GpuBuffer;
}

export interface BatchNormTrainOptions extends BatchNormOptions {
  /** Running-stat update weight (PyTorch default 0.1): running = (1 - m) * running + m * batch. */
  momentum?: number;
}

export interface BatchNormTrainResult {
  /** Same shape as x. */
  y: GpuBuffer;
  /** [2, C] f32: batch mean, then invstd = 1/sqrt(biased var + eps); input of the backward. */
  stats: GpuBuffer;
}

function checkChannelBuffers(kernel: string, channels: number, bufs: Record<string, GpuBuffer>): void {
  for (const [name, b] of Object.entries(bufs)) checkHolds(b, channels, kernel, name);
}

/**
 * Training-mode batch norm over a channel-last tensor x (NHWC, or [N, C]): statistics over all
 * rows (N*H*W) per channel, y = (x - mean) * invstd * gamma + beta (optionally ReLU'd), and the
 * running statistics updated in place with the unbiased variance (PyTorch semantics). Needs at
 * least 2 rows, as PyTorch does.
 */
export function batchNormTrain(
  gpu: Gpu,
  x: GpuBuffer,
  shape: readonly number[],
  params: BatchNormParams,
  opts: BatchNormTrainOptions = {},
): BatchNormTrainResult {
  const kernel = 'batchnorm_train';
  const { rows, cols: channels } = rowsAndCols(kernel, shape);
  check(rows >= 2, kernel, () => `expected more than 1 value per channel when training, got shape ${fmtShape(shape)}`);
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  check(eps >= 0 && momentum >= 0 && momentum <= 1, kernel, `eps ${eps} must be >= 0 and momentum ${momentum} in [0, 1]`);
  checkHolds(x, rows * channels, kernel, 'x');
  checkChannelBuffers(kernel, channels, { ...params });
  checkDistinct(kernel, { x, ...params, out: opts.out });
  const y = outputBuffer(gpu, kernel, opts.out, rows * channels, `${kernel} out`);
  const stats = gpu.alloc(2 * channels * 4, 'batchnorm stats');
  const { blockRows, nblocks } = rowBlocks(rows, channels);
  const statParams = packParams([u(rows), u(channels), u(blockRows), u(nblocks), f(eps), f(momentum)]);
  const tiles = Math.ceil(channels / CHANNEL_TILE);
  const label = `${shape.join('x')} blocks ${nblocks}x${blockRows}`;
  const part = gpu.alloc(nblocks * channels * 8, 'batchnorm partial stats');
  gpu.dispatch(statsPartialKernel, { params: statParams, buffers: [x, part], workgroups: [tiles, nblocks], label });
  gpu.dispatch(statsFinalizeKernel, {
    params: statParams,
    buffers: [part, stats, params.runningMean, params.runningVar, x],
    workgroups: [tiles],
    label,
  });
  part.release();
  apply(gpu, x, y, rows, channels, params, stats, opts);
  return { y, stats };
}

/** Inference-mode batch norm: normalizes with the running statistics (nothing is updated). */
export function batchNormEval(gpu: Gpu, x: GpuBuffer, shape: readonly number[], params: BatchNormParams, opts: BatchNormOptions = {}): GpuBuffer {
  const kernel = 'batchnorm_eval';
  const { rows, cols: channels } = rowsAndCols(kernel, shape);
  checkHolds(x, rows * channels, kernel, 'x');
  checkChannelBuffers(kernel, channels, { ...params });
  checkDistinct(kernel, { x, ...params, out: opts.out });
  const y = outputBuffer(gpu, kernel, opts.out, rows * channels, `${kernel} out`);
  apply(gpu, x, y, rows, channels, params, null, opts);
  return y;
}

/** The elementwise pass; `stats` null means inference (running statistics). */
function apply(
  gpu: Gpu,
  x: GpuBuffer,
  y: GpuBuffer,
  rows: number,
  channels: number,
  params: BatchNormParams,
  stats: GpuBuffer | null,
  opts: BatchNormOptions,
): void {
  const total = rows * channels;
  const common = [x, params.gamma, params.beta, y];
  gpu.dispatch(stats ? applyKernel : applyEvalKernel, {
    overrides: { RELU: opts.relu ? 1 : 0 },
    params: packParams([u(total), u(channels), f(opts.eps ?? 1e-5)]),
    buffers: stats ? [...common, stats] : [...common, params.runningMean, params.runningVar],
    workgroups: grid(Math.ceil(total / 256)),
    label: `${rows}x${channels}${opts.relu ? ' relu' : ''}`,
  });
}

export interface BatchNormBackwardOptions {
  /** The forward's output y when it fused the ReLU (dy then counts only where y > 0). */
  reluOutput?: GpuBuffer;
  dxOut?: GpuBuffer;
  dgammaOut?: GpuBuffer;
  dbetaOut?: GpuBuffer;
}

/**
 * Backward of batchNormTrain: dgamma = sum dy*xhat, dbeta = sum dy (per channel, deterministic
 * two-stage reduction), then dx = gamma * invstd * (dy - (dbeta + xhat * dgamma) / M).
 * `stats` is the forward's [2, C] (mean, invstd).
 */
export function batchNormBackward(
  gpu: Gpu,
  dy: GpuBuffer,
  x: GpuBuffer,
  shape: readonly number[],
  gamma: GpuBuffer,
  stats: GpuBuffer,
  opts: BatchNormBackwardOptions = {},
): { dx: GpuBuffer; dgamma: GpuBuffer; dbeta: GpuBuffer } {
  const kernel = 'batchnorm_backward';
  const { rows, cols: channels } = rowsAndCols(kernel, shape);
  check(rows >= 2, kernel, () => `training-mode batch norm needs more than 1 value per channel, got shape ${fmtShape(shape)}`);
  checkHolds(gamma, channels, kernel, 'gamma');
  checkDistinct(kernel, { dy, x, stats, gamma, ...opts });
  const total = rows * channels;
  const dx = outputBuffer(gpu, kernel, opts.dxOut, total, 'batchnorm dx');
  const { dgamma, dbeta } = affineGrad(gpu, kernel, dy, x, stats, rows, channels, {
    perRow: false,
    reluOutput: opts.reluOutput,
    dgammaOut: opts.dgammaOut,
    dbetaOut: opts.dbetaOut,
  });
  const buffers = [dy, x, stats, gamma, dgamma, dbeta, dx];
  gpu.dispatch(opts.reluOutput ? backwardReluKernel : backwardKernel, {
    params: packParams([u(total), u(channels), u(rows)]),
    buffers: opts.reluOutput ? [...buffers, opts.reluOutput] : buffers,
    workgroups: grid(Math.ceil(total / 256)),
    label: `${shape.join('x')}${opts.reluOutput ? ' relu' : ''}`,
  });
  return { dx, dgamma, dbeta };
}
