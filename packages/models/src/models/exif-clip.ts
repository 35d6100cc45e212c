import type { Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { scope } from '../tensor/scope.ts';
import { full } from '../tensor/create.ts';
import { clipLogits, infoNce, type InfoNceResult } from '../ops/infonce.ts';
import { Module } from '../nn/module.ts';
import { deriveSeed } from '../nn/init.ts';
import type { ImageConfig, ModelConfig, TextConfig } from '../checkpoint/canonical.ts';
import { ResNet, type ResNetConfig } from './resnet.ts';
import { TextEncoder, type TextEncoderConfig } from './text.ts';
import { prefilterKernelSize, prefilterOfKernel } from './prefilter.ts';

/** The paper's fixed logit scale. */
export const PAPER_LOGIT_SCALE = 100;
/** CLIP's initial learned scale, 1 / 0.07 (the parameter holds its log). */
export const CLIP_INIT_LOGIT_SCALE = 1 / 0.07;

export interface ExifClipConfig {
  image: ResNetConfig;
  text: TextEncoderConfig;
  /**
   * The InfoNCE logit scale: `{ learned: false, value: 100 }` (the paper), or learned from
   * `value` (default 1/0.07, CLIP). The state dict holds ln(scale) as `logit_scale` either way
   * (a parameter when learned, a buffer when fixed), as the official checkpoint does.
   */
  logitScale?: { learned: boolean; value?: number };
  seed?: number;
}

/**
 * The EXIF-CLIP model: a ResNet image tower (`image.*`, torchvision names) and a
 * DistilBERT-shaped text tower (`text.*`, Hugging Face names) trained with symmetric InfoNCE.
 * Its state dict is canonical.ts's layout (`canonicalShapes(toModelConfig(config))`).
 */
export class ExifClip extends Module {
  readonly image: ResNet;
  readonly text: TextEncoder;
  /** ln(scale): a trained parameter or a fixed buffer */
  readonly logitScale: Tensor;
  readonly learnedScale: boolean;

  constructor(gpu: Gpu, readonly config: ExifClipConfig) {
    super(gpu);
    if (config.image.embed !== config.text.dim) throw new Error(`ExifClip: image embedding ${config.image.embed} differs from the text width ${config.text.dim} (there is no text projection)`);
    const seed = config.seed ?? 0;
    this.image = this.child('image', new ResNet(gpu, { ...config.image, seed: deriveSeed(seed, 'image') }));
    this.text = this.child('text', new TextEncoder(gpu, { ...config.text, seed: deriveSeed(seed, 'text') }));
    this.learnedScale = config.logitScale?.learned ?? false;
    const value = config.logitScale?.value ?? (this.learnedScale ? CLIP_INIT_LOGIT_SCALE : PAPER_LOGIT_SCALE);
    const t = full(gpu, [], Math.log(value));
    this.logitScale = this.learnedScale ? this.param('logit_scale', t) : this.buffer('logit_scale', t);
  }

  get embedDim(): number {
    return this.config.text.dim;
  }

  /** Image embeddings [B, E] of NHWC CLIP-normalised patches [B, S, S, 3] (unnormalised). */
  encodeImage(images: Tensor): Tensor {
    return scope(() => this.image.forward(images));
  }

  /** Text embeddings [B, E] of u32 token ids and mask [B, T] (unnormalised). */
  encodeText(ids: Tensor, mask: Tensor): Tensor {
    return scope(() => this.text.forward(ids, mask));
  }

  /** The InfoNCE loss of a batch of (patch, EXIF text) pairs, with the retrieval accuracies. */
  loss(images: Tensor, ids: Tensor, mask: Tensor): InfoNceResult {
    return scope(() => this.lossOf(this.image.forward(images), this.text.forward(ids, mask)));
  }

  /** The loss of precomputed embeddings (gradient caching computes them in chunks). */
  lossOf(imageEmbeds: Tensor, textEmbeds: Tensor): InfoNceResult {
    // The stored log-scale either way (a loaded checkpoint may change it); a fixed one is a
    // buffer without requiresGrad, so no gradient flows into it.
    return infoNce(imageEmbeds, textEmbeds, this.logitScale);
  }

  /** [B, B] logits (rows = images) of precomputed embeddings, at the model's scale (logging, parity). */
  logits(imageEmbeds: Tensor, textEmbeds: Tensor): Tensor {
    return clipLogits(imageEmbeds, textEmbeds, this.logitScale);
  }
}

/** Model hyper-parameters from the structure a checkpoint implies (canonical.ts's inference). */
export function exifClipConfigFrom(c: ModelConfig, opts: { dropout?: number; attentionDropout?: number; learnedScale?: boolean } = {}): ExifClipConfig {
  if (!c.image || !c.text) throw new Error(`exifClipConfigFrom: the checkpoint lacks the ${c.image ? 'text' : 'image'} tower`);
  return {
    image: resnetConfigOf(c.image),
    text: textConfigOf(c.text, opts),
    logitScale: { learned: opts.learnedScale ?? false, value: c.logitScale ?? undefined },
  };
}

export function resnetConfigOf(c: ImageConfig): ResNetConfig {
  return { block: c.block, layers: [...c.layers], stem: c.stem, widths: [...c.widths], embed: c.embed, prefilter: c.prefilterKernel ? prefilterOfKernel(c.prefilterKernel) : null };
}

export function textConfigOf(c: TextConfig, opts: { dropout?: number; attentionDropout?: number } = {}): TextEncoderConfig {
  if (c.heads === null) throw new Error(`the text tower's head count is unknown (dim ${c.dim} is not a multiple of 64): pass it explicitly`);
  return { vocab: c.vocab, dim: c.dim, maxPositions: c.maxPositions, layers: c.layers, heads: c.heads, ffn: c.ffn, eps: c.eps, dropout: opts.dropout, attentionDropout: opts.attentionDropout };
}

/** The canonical ModelConfig of a model config (what canonicalShapes takes). */
export function toModelConfig(c: ExifClipConfig): ModelConfig {
  const { image: i, text: t } = c;
  const exp = i.block === 'bottleneck' ? 4 : 1;
  return {
    image: {
      block: i.block, layers: [...i.layers], stem: i.stem, widths: [...i.widths], features: i.widths[i.widths.length - 1] * exp, embed: i.embed, name: null,
      prefilterKernel: i.prefilter ? prefilterKernelSize(i.prefilter) : null,
    },
    text: { vocab: t.vocab, dim: t.dim, maxPositions: t.maxPositions, layers: t.layers, ffn: t.ffn, heads: t.heads, headsSource: 'given', eps: t.eps ?? 1e-12 },
    logitScale: c.logitScale?.value ?? (c.logitScale?.learned ? CLIP_INIT_LOGIT_SCALE : PAPER_LOGIT_SCALE),
  };
}
