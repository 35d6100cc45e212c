import type { Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { checkHolds } from '../shape.ts';
import { checkDistinct, outputBuffer } from './buffers.ts';

const partialKernel = kernelFromFile('affine_grad_partial', 'ops/batchnorm/', './affine_grad.wgsl', 'partial');
const partialReluKernel = kernelFromFile('affine_grad_partial_relu', 'ops/batchnorm/', './affine_grad.wgsl', 'partial_relu');
const finalizeKernel = kernelFromFile('affine_grad_finalize', 'ops/batchnorm/', './affine_grad.wgsl', 'finalize');

/** Channels per workgroup of the column-reduction kernels (bn_stats, affine_grad). */
export const CHANNEL_TILE = 64;

/**
 * Row blocking for a two-stage column reduction over [rows, channels]: about 512 workgroups in
 * all (enough to fill a GPU, few enough that the per-channel second stage is short), at least
 * 64 rows per block, a multiple of the 4 row lanes.
 */
export function rowBlocks(rows: number, channels: number): { blockRows: number; nblocks: number } {
  const tiles = Math.max(1, Math.ceil(channels / CHANNEL_TILE));
  const target = Math.max(1, Math.ceil(512 / tiles));
  const blockRows = Math.ceil(Math.max(64, Math.ceil(rows / target)) / 4) * 4;
  return { blockRows, nblocks: Math.max(1, Math.ceil(rows / blockRows)) };
}

export interface AffineGradOptions {
  /** stats are per row (layer norm, K = rows) instead of per channel (batch norm, K = channels). */
  perRow: boolean;
  /** Forward output of a fused ReLU: dy counts only where y > 0. */
  reluOutput?: GpuBuffer;
  dgammaOut?: GpuBuffer;
  dbetaOut?: GpuBuffer;
}

/**
 * dgamma[c] = sum_r dy * xhat, dbeta[c] = sum_r dy over x, dy [rows, channels] with
 * xhat = (x - mean) * invstd from stats [2, K] (mean then invstd). Deterministic two-stage
 * reduction (see affine_grad.wgsl). `kernel` names the caller in shape errors.
 */
export function affineGrad(
  gpu: Gpu,
  kernel: string,
  dy: GpuBuffer,
  x: GpuBuffer,
  stats: GpuBuffer,
  rows: number,
  channels: number,
  opts: AffineGradOptions,
): { dgamma: GpuBuffer; dbeta: GpuBuffer } {
  const total = rows * channels;
  checkHolds(dy, total, kernel, 'dy');
  checkHolds(x, total, kernel, 'x');
  checkHolds(stats, 2 * (opts.perRow ? rows : channels), kernel, 'stats');
  if (opts.reluOutput) checkHolds(opts.reluOutput, total, kernel, 'relu output');
  checkDistinct(kernel, { dy, x, stats, reluOutput: opts.reluOutput, dgammaOut: opts.dgammaOut, dbetaOut: opts.dbetaOut });
  const dgamma = outputBuffer(gpu, kernel, opts.dgammaOut, channels, `${kernel} dgamma`);
  const dbeta = outputBuffer(gpu, kernel, opts.dbetaOut, channels, `${kernel} dbeta`);
  const { blockRows, nblocks } = rowBlocks(rows, channels);
  const params = packParams([u(rows), u(channels), u(blockRows), u(nblocks)]);
  const tiles = Math.ceil(channels / CHANNEL_TILE);
  const label = `${rows}x${channels} blocks ${nblocks}x${blockRows}`;
  const part = gpu.alloc(nblocks * channels * 8, `${kernel} partial sums`);
  gpu.dispatch(opts.reluOutput ? partialReluKernel : partialKernel, {
    overrides: { PER_ROW: opts.perRow ? 1 : 0 },
    params,
    buffers: opts.reluOutput ? [dy, x, stats, part, opts.reluOutput] : [dy, x, stats, part],
    workgroups: [tiles, nblocks],
    label: `${label}${opts.reluOutput ? ' relu' : ''}${opts.perRow ? ' per-row' : ''}`,
  });
  gpu.dispatch(finalizeKernel, { params, buffers: [part, dgamma, dbeta], workgroups: [tiles], label });
  part.release();
  return { dgamma, dbeta };
}
