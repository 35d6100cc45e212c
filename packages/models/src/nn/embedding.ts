import type { Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { tensor } from '../tensor/create.ts';
import { embedding } from '../ops/embedding.ts';
import { Module } from './module.ts';
import { HF_NORMAL, deriveSeed, sample } from './init.ts';

export interface EmbeddingOptions {
  /** PyTorch's padding_idx: that row starts at zero and never gets a gradient */
  paddingIdx?: number;
  seed?: number;
  /** 'torch': N(0, 1) (nn.Embedding's default); 'hf': N(0, 0.02). Default 'torch'. */
  init?: 'torch' | 'hf';
}

/** A [num, dim] lookup table indexed by u32 ids. */
export class Embedding extends Module {
  readonly weight: Tensor;
  readonly paddingIdx: number | undefined;

  constructor(gpu: Gpu, readonly num: number, readonly dim: number, opts: EmbeddingOptions = {}) {
    super(gpu);
    this.paddingIdx = opts.paddingIdx;
    const spec = opts.init === 'hf' ? HF_NORMAL : { kind: 'normal' as const, std: 1 };
    const w = sample(num * dim, spec, deriveSeed(opts.seed ?? 0, 'weight'));
    if (this.paddingIdx !== undefined) w.fill(0, this.paddingIdx * dim, (this.paddingIdx + 1) * dim);
    this.weight = this.param('weight', tensor(gpu, w, [num, dim]));
  }

  forward(ids: Tensor): Tensor {
    return embedding(this.weight, ids, this.paddingIdx);
  }
}
