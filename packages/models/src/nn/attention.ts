import { cast, type Gpu } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { scope } from '../tensor/scope.ts';
import { attention } from '../ops/attention.ts';
import { affine, add } from '../ops/elementwise.ts';
import { matmul } from '../ops/matmul.ts';
import { permute } from '../ops/movement.ts';
import { reshape } from '../ops/shape.ts';
import { softmax } from '../ops/softmax.ts';
import { Module } from './module.ts';
import { Linear } from './linear.ts';
import { Dropout } from './dropout.ts';
import { deriveSeed } from './init.ts';

export interface MultiHeadAttentionOptions {
  seed?: number;
  /** dropout on the attention probabilities (DistilBERT's attention_dropout), training only */
  attentionDropout?: number;
  /** 'hf' (normal 0.02, as DistilBERT) or 'torch' Linear init; default 'hf' */
  init?: 'torch' | 'hf';
}

/**
 * Self-attention with DistilBERT's parameter names (q_lin, k_lin, v_lin, out_lin). x is
 * [B, T, D], the key padding mask [B, T] u32 (1 = token). The fused attention kernels run in
 * training too: attention dropout happens inside them, with the mask the unfused path
 * (`unfusedAttention`: scores, softmax, dropout, product) would draw for the same call.
 */
export class MultiHeadAttention extends Module {
  readonly qLin: Linear;
  readonly kLin: Linear;
  readonly vLin: Linear;
  readonly outLin: Linear;
  readonly dropout: Dropout;
  readonly headDim: number;

  constructor(gpu: Gpu, readonly dim: number, readonly heads: number, opts: MultiHeadAttentionOptions = {}) {
    super(gpu);
    if (!(heads > 0 && dim % heads === 0)) throw new Error(`MultiHeadAttention: dim ${dim} is not divisible by ${heads} heads`);
    this.headDim = dim / heads;
    const seed = opts.seed ?? 0;
    const lin = (name: string) => this.child(name, new Linear(gpu, dim, dim, { seed: deriveSeed(seed, name), init: opts.init ?? 'hf' }));
    this.qLin = lin('q_lin');
    this.kLin = lin('k_lin');
    this.vLin = lin('v_lin');
    this.outLin = lin('out_lin');
    // A child so train()/eval() reach it; it has no state-dict entries (as in Hugging Face).
    this.dropout = this.child('dropout', new Dropout(gpu, opts.attentionDropout ?? 0, deriveSeed(seed, 'dropout')));
  }

  forward(x: Tensor, mask: Tensor): Tensor {
    if (x.rank !== 3 || x.shape[2] !== this.dim) throw new Error(`MultiHeadAttention: x must be [B, T, ${this.dim}], got ${x.describe()}`);
    const [B, T] = x.shape;
    const heads = [B, T, this.heads, this.headDim];
    const q = reshape(this.qLin.forward(x), heads);
    const k = reshape(this.kLin.forward(x), heads);
    const v = reshape(this.vLin.forward(x), heads);
    const scale = 1 / Math.sqrt(this.headDim);
    // p = 1 (everything dropped) is not a fused-kernel case; the unfused path handles it.
    const ctx = this.training && this.dropout.p >= 1
      ? unfusedAttention(q, k, v, mask, scale, (p) => this.dropout.forward(p))
      : attention(q, k, v, mask, scale, seedOrNone(this.dropout));
    return this.outLin.forward(reshape(ctx, [B, T, this.dim]));
  }
}

function seedOrNone(d: Dropout): { p: number; seed: [number, number] } | undefined {
  const seed = d.nextSeed();
  return seed ? { p: d.p, seed } : undefined;
}

/**
 * softmax(q k^T * scale + maskBias) v with every intermediate materialised, for dropout on the
 * probabilities. q, k, v [B, T, H, D]; padded keys get -FLT_MAX added (Hugging Face adds
 * finfo.min), so a row with tokens ignores them exactly. Same result as the fused kernel.
 */
export function unfusedAttention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor, scale: number, dropProbs: (p: Tensor) => Tensor = (p) => p): Tensor {
  const [B, T, H, D] = q.shape;
  return scope(() => {
    const heads = (t: Tensor) => reshape(permute(t, [0, 2, 1, 3]), [B * H, T, D]);
    const scores = reshape(matmul(heads(q), heads(k), { transB: true, alpha: scale }), [B, H, T, T]);
    const m = Tensor.fromBuffer(cast(q.gpu, mask.buffer, B * T, 'u32', 'f32'), [B, 1, 1, T]);
    const bias = affine(m, 3.4028234663852886e38, -3.4028234663852886e38); // 0 for tokens, -FLT_MAX for padding
    const probs = dropProbs(softmax(add(scores, bias)));
    const ctx = matmul(reshape(probs, [B * H, T, T]), heads(v));
    return permute(reshape(ctx, [B, H, T, D]), [0, 2, 1, 3]);
  });
}
