import { arange, type Gpu } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { add } from '../ops/elementwise.ts';
import { maskedMean } from '../ops/masked-mean.ts';
import { Module } from '../nn/module.ts';
import { Embedding } from '../nn/embedding.ts';
import { LayerNorm } from '../nn/layernorm.ts';
import { Dropout } from '../nn/dropout.ts';
import { ModuleList } from '../nn/sequential.ts';
import { TransformerEncoderLayer } from '../nn/transformer.ts';
import { deriveSeed } from '../nn/init.ts';

/** The DistilBERT-shaped text tower's hyper-parameters (DistilBERT-base: 30522, 768, 512, 6, 12, 3072). */
export interface TextEncoderConfig {
  vocab: number;
  dim: number;
  maxPositions: number;
  layers: number;
  heads: number;
  ffn: number;
  /** LayerNorm eps (DistilBERT: 1e-12) */
  eps?: number;
  /** hidden dropout (embeddings, FFN output); DistilBERT's default 0.1 */
  dropout?: number;
  /** dropout on attention probabilities; DistilBERT's default 0.1 */
  attentionDropout?: number;
  /** [PAD]'s id: its embedding row starts at zero and gets no gradient (DistilBERT: 0) */
  padTokenId?: number;
  seed?: number;
}

/** DistilBERT's Embeddings: LayerNorm(word(ids) + position(0..T-1)), then dropout. */
export class TextEmbeddings extends Module {
  readonly wordEmbeddings: Embedding;
  readonly positionEmbeddings: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(gpu: Gpu, c: TextEncoderConfig) {
    super(gpu);
    const seed = c.seed ?? 0;
    this.wordEmbeddings = this.child('word_embeddings', new Embedding(gpu, c.vocab, c.dim, { paddingIdx: c.padTokenId ?? 0, seed: deriveSeed(seed, 'word_embeddings'), init: 'hf' }));
    this.positionEmbeddings = this.child('position_embeddings', new Embedding(gpu, c.maxPositions, c.dim, { seed: deriveSeed(seed, 'position_embeddings'), init: 'hf' }));
    this.layerNorm = this.child('LayerNorm', new LayerNorm(gpu, c.dim, c.eps ?? 1e-12));
    this.dropout = this.child('dropout', new Dropout(gpu, c.dropout ?? 0.1, deriveSeed(seed, 'dropout')));
  }

  forward(ids: Tensor): Tensor {
    if (ids.rank !== 2 || ids.dtype !== 'u32') throw new Error(`TextEmbeddings: ids must be u32 [B, T], got ${ids.describe()}`);
    const T = ids.shape[1];
    if (T > this.positionEmbeddings.num) throw new Error(`TextEmbeddings: ${T} tokens exceed the ${this.positionEmbeddings.num} positions`);
    const positions = Tensor.fromBuffer(arange(this.gpu, T, { dtype: 'u32' }), [T], 'u32');
    const pos = this.positionEmbeddings.forward(positions); // [T, D], broadcast over the batch
    positions.dispose();
    return this.dropout.forward(this.layerNorm.forward(add(this.wordEmbeddings.forward(ids), pos)));
  }
}

/** `transformer.layer.{i}` (Hugging Face's Transformer container). */
export class TransformerStack extends Module {
  readonly layer: ModuleList<TransformerEncoderLayer>;

  constructor(gpu: Gpu, c: TextEncoderConfig) {
    super(gpu);
    const seed = c.seed ?? 0;
    const layers = Array.from({ length: c.layers }, (_, i) =>
      new TransformerEncoderLayer(gpu, c.dim, c.heads, c.ffn, { seed: deriveSeed(seed, `layer.${i}`), dropout: c.dropout ?? 0.1, attentionDropout: c.attentionDropout ?? 0.1, eps: c.eps ?? 1e-12 }),
    );
    this.layer = this.child('layer', new ModuleList(gpu, layers));
  }

  forward(x: Tensor, mask: Tensor): Tensor {
    let h = x;
    for (const l of this.layer.items) h = l.forward(h, mask);
    return h;
  }
}

/**
 * The text tower: Hugging Face DistilBertModel (names `embeddings.*`, `transformer.layer.{i}.*`)
 * whose last hidden state is averaged over the real tokens (the official avg_word_embs), with
 * no projection: the embedding size is `dim`.
 */
export class TextEncoder extends Module {
  readonly embeddings: TextEmbeddings;
  readonly transformer: TransformerStack;

  constructor(gpu: Gpu, readonly config: TextEncoderConfig) {
    super(gpu);
    if (!(config.heads > 0 && config.dim % config.heads === 0)) throw new Error(`TextEncoder: dim ${config.dim} is not divisible by ${config.heads} heads`);
    const seed = config.seed ?? 0;
    this.embeddings = this.child('embeddings', new TextEmbeddings(gpu, { ...config, seed: deriveSeed(seed, 'embeddings') }));
    this.transformer = this.child('transformer', new TransformerStack(gpu, { ...config, seed: deriveSeed(seed, 'transformer') }));
  }

  get embedDim(): number {
    return this.config.dim;
  }

  /** Last hidden state [B, T, dim] for u32 ids and mask [B, T]. */
  hidden(ids: Tensor, mask: Tensor): Tensor {
    if (mask.dtype !== 'u32' || mask.shape.join() !== ids.shape.join()) throw new Error(`TextEncoder: mask must be u32 like ids ${ids.describe()}, got ${mask.describe()}`);
    return this.transformer.forward(this.embeddings.forward(ids), mask);
  }

  /** Text embedding [B, dim]: the masked mean of the last hidden state. */
  forward(ids: Tensor, mask: Tensor): Tensor {
    return maskedMean(this.hidden(ids, mask), mask);
  }
}
