import type { Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { full } from '../tensor/create.ts';
import { layerNorm } from '../ops/norm.ts';
import { Module } from './module.ts';

/** LayerNorm over the last axis (weight 1, bias 0 at init). DistilBERT uses eps 1e-12. */
export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(gpu: Gpu, readonly dim: number, readonly eps = 1e-5) {
    super(gpu);
    this.weight = this.param('weight', full(gpu, [dim], 1));
    this.bias = this.param('bias', full(gpu, [dim], 0));
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}
