import type { Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { tensor } from '../tensor/create.ts';
import { linear } from '../ops/matmul.ts';
import { Module } from './module.ts';
import { HF_NORMAL, ZEROS, deriveSeed, sample, torchDefault, type InitSpec } from './init.ts';

export interface LinearOptions {
  /** default true */
  bias?: boolean;
  seed?: number;
  /**
   * 'torch': nn.Linear's default (weight and bias U(+-1/sqrt(in))); 'hf': Hugging Face's
   * normal(0, 0.02) weight and zero bias. Default 'torch'.
   */
  init?: 'torch' | 'hf';
}

/** y = x W^T + b over the last axis; W is [out, in] as in PyTorch (no layout change). */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(gpu: Gpu, readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super(gpu);
    const seed = opts.seed ?? 0;
    const hf = opts.init === 'hf';
    const w: InitSpec = hf ? HF_NORMAL : torchDefault(inFeatures);
    const b: InitSpec = hf ? ZEROS : torchDefault(inFeatures);
    this.weight = this.param('weight', tensor(gpu, sample(outFeatures * inFeatures, w, deriveSeed(seed, 'weight')), [outFeatures, inFeatures]));
    this.bias = opts.bias ?? true ? this.param('bias', tensor(gpu, sample(outFeatures, b, deriveSeed(seed, 'bias')), [outFeatures])) : null;
  }

  /** `activation` is fused into the matmul epilogue when autograd is not recording. */
  forward(x: Tensor, activation: 'none' | 'relu' | 'gelu' = 'none'): Tensor {
    return linear(x, this.weight, this.bias, activation);
  }
}
