import type { Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { full } from '../tensor/create.ts';
import { batchNorm } from '../ops/norm.ts';
import { Module } from './module.ts';

export interface BatchNorm2dOptions {
  /** default 1e-5 */
  eps?: number;
  /** running-stat update factor, default 0.1 (PyTorch's convention: new = (1 - m) old + m batch) */
  momentum?: number;
}

/**
 * BatchNorm2d over NHWC activations (channels last). Training normalises with the batch
 * statistics (biased variance) and updates the running statistics in place (unbiased
 * variance) and num_batches_tracked; eval uses the running statistics. `forward(x, true)`
 * fuses the ReLU that follows every BN in a ResNet except the last of a block.
 */
export class BatchNorm2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numBatchesTracked: { value: number };
  readonly eps: number;
  readonly momentum: number;

  constructor(gpu: Gpu, readonly channels: number, opts: BatchNorm2dOptions = {}) {
    super(gpu);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.weight = this.param('weight', full(gpu, [channels], 1));
    this.bias = this.param('bias', full(gpu, [channels], 0));
    this.runningMean = this.buffer('running_mean', full(gpu, [channels], 0));
    this.runningVar = this.buffer('running_var', full(gpu, [channels], 1));
    this.numBatchesTracked = this.counter('num_batches_tracked');
  }

  forward(x: Tensor, relu = false): Tensor {
    if (this.training) this.numBatchesTracked.value++;
    return batchNorm(x, {
      gamma: this.weight, beta: this.bias, runningMean: this.runningMean, runningVar: this.runningVar,
      training: this.training, momentum: this.momentum, eps: this.eps, relu,
    });
  }
}
