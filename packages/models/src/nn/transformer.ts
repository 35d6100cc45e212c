import type { Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { add } from '../ops/elementwise.ts';
import { Module } from './module.ts';
import { Linear } from './linear.ts';
import { LayerNorm } from './layernorm.ts';
import { Dropout } from './dropout.ts';
import { MultiHeadAttention } from './attention.ts';
import { deriveSeed } from './init.ts';

export interface TransformerLayerOptions {
  seed?: number;
  /** dropout after the FFN (DistilBERT's `dropout`, 0.1), training only */
  dropout?: number;
  /** dropout on the attention probabilities (DistilBERT's `attention_dropout`, 0.1) */
  attentionDropout?: number;
  /** LayerNorm eps (DistilBERT: 1e-12) */
  eps?: number;
}

/** DistilBERT's FFN: lin2(gelu(lin1(x))) then dropout; GELU is the erf form. */
export class FeedForward extends Module {
  readonly lin1: Linear;
  readonly lin2: Linear;
  readonly dropout: Dropout;

  constructor(gpu: Gpu, dim: number, hidden: number, opts: { seed?: number; dropout?: number } = {}) {
    super(gpu);
    const seed = opts.seed ?? 0;
    this.lin1 = this.child('lin1', new Linear(gpu, dim, hidden, { seed: deriveSeed(seed, 'lin1'), init: 'hf' }));
    this.lin2 = this.child('lin2', new Linear(gpu, hidden, dim, { seed: deriveSeed(seed, 'lin2'), init: 'hf' }));
    this.dropout = this.child('dropout', new Dropout(gpu, opts.dropout ?? 0, deriveSeed(seed, 'dropout')));
  }

  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.lin2.forward(this.lin1.forward(x, 'gelu')));
  }
}

/**
 * One post-LN encoder layer with DistilBERT's names (TransformerBlock):
 *   h = sa_layer_norm(x + attention(x)),  out = output_layer_norm(h + ffn(h)).
 */
export class TransformerEncoderLayer extends Module {
  readonly attention: MultiHeadAttention;
  readonly saLayerNorm: LayerNorm;
  readonly ffn: FeedForward;
  readonly outputLayerNorm: LayerNorm;

  constructor(gpu: Gpu, readonly dim: number, heads: number, hidden: number, opts: TransformerLayerOptions = {}) {
    super(gpu);
    const seed = opts.seed ?? 0;
    const eps = opts.eps ?? 1e-12;
    this.attention = this.child('attention', new MultiHeadAttention(gpu, dim, heads, { seed: deriveSeed(seed, 'attention'), attentionDropout: opts.attentionDropout }));
    this.saLayerNorm = this.child('sa_layer_norm', new LayerNorm(gpu, dim, eps));
    this.ffn = this.child('ffn', new FeedForward(gpu, dim, hidden, { seed: deriveSeed(seed, 'ffn'), dropout: opts.dropout }));
    this.outputLayerNorm = this.child('output_layer_norm', new LayerNorm(gpu, dim, eps));
  }

  forward(x: Tensor, mask: Tensor): Tensor {
    const h = this.saLayerNorm.forward(add(this.attention.forward(x, mask), x));
    return this.outputLayerNorm.forward(add(this.ffn.forward(h), h));
  }
}
