import type { ExifClipConfig } from '../models/exif-clip.ts';

/** A model and batch for the training-step benchmark (both sides run exactly this). */
export interface StepPreset {
  description: string;
  model: ExifClipConfig;
  batch: number;
  /** square patch side, px */
  patch: number;
  /** tokens per text (all real: the EXIF strings of the recipe fill them) */
  tokens: number;
}

const BERT_VOCAB = 30522;

export const STEP_PRESETS = {
  /** DESIGN.md's reference recipe: ResNet-18-style 32-64-128-256 at 64 px, 2-layer width-128 text over ~175 tokens. */
  small: {
    description: 'ResNet-18 layout at widths 32-64-128-256 (fc 256->128), 64 px; text 2 layers x 128 (2 heads, FFN 512), 175 tokens',
    model: {
      image: { block: 'basic', layers: [2, 2, 2, 2], stem: 32, widths: [32, 64, 128, 256], embed: 128 },
      text: { vocab: BERT_VOCAB, dim: 128, maxPositions: 512, layers: 2, heads: 2, ffn: 512, dropout: 0, attentionDropout: 0 },
    },
    batch: 16,
    patch: 64,
    tokens: 175,
  },
  /** The paper's model: ResNet-50 (fc 2048->768) at 124 px + DistilBERT-base, dropout 0.1 as trained. */
  paper: {
    description: 'ResNet-50 (fc 2048->768), 124 px; DistilBERT-base (6 x 768, 12 heads, FFN 3072, dropout 0.1), 96 tokens',
    model: {
      image: { block: 'bottleneck', layers: [3, 4, 6, 3], stem: 64, widths: [64, 128, 256, 512], embed: 768 },
      text: { vocab: BERT_VOCAB, dim: 768, maxPositions: 512, layers: 6, heads: 12, ffn: 3072, dropout: 0.1, attentionDropout: 0.1 },
    },
    batch: 4,
    patch: 124,
    tokens: 96,
  },
} as const satisfies Record<string, StepPreset>;

export type StepPresetName = keyof typeof STEP_PRESETS;

export function isStepPreset(name: string): name is StepPresetName {
  return Object.hasOwn(STEP_PRESETS, name);
}
