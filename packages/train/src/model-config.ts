/** The model a run config describes, as the models package builds it. */
import { resnetConfig, type ExifClipConfig, type ResNetConfig } from '@exif-lang/models';
import type { ImageTowerConfig, TrainConfig } from './config.ts';

/** bert-base-uncased's WordPiece vocabulary, which the ExifTokenizer uses. */
export const BERT_VOCAB_SIZE = 30522;

export function imageTowerConfig(c: ImageTowerConfig, embed: number): ResNetConfig {
  const prefilter = c.prefilter === 'none' ? null : c.prefilter;
  if (c.arch !== 'custom') return { ...resnetConfig(c.arch, embed, c.widthMultiplier), prefilter };
  const scale = (ch: number) => Math.max(1, Math.round(ch * c.widthMultiplier));
  // The schema guarantees these for 'custom'.
  return { block: c.block!, layers: [...c.layers!], stem: scale(c.stem!), widths: c.widths!.map(scale), embed, prefilter };
}

export function exifClipConfig(c: TrainConfig, vocab = BERT_VOCAB_SIZE): ExifClipConfig {
  const m = c.model;
  return {
    image: imageTowerConfig(m.image, m.embed),
    text: {
      vocab,
      dim: m.embed,
      maxPositions: m.text.maxPositions ?? m.text.maxTokens,
      layers: m.text.layers,
      heads: m.text.heads,
      ffn: m.text.ffn,
      dropout: m.text.dropout,
      attentionDropout: m.text.attentionDropout,
    },
    logitScale: { learned: m.logitScale.learned, value: m.logitScale.value },
    seed: c.run.seed,
  };
}
