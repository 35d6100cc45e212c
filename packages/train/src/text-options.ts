/**
 * The texts a run trains on: the index's tag vocabulary plus the config's ablations
 * (data.text). Validation keeps the tag choice and value printing but never shuffles or drops
 * pairs, so every evaluation ranks the same texts.
 */
import type { TextOptions } from '@exif-lang/data';
import type { TrainConfig } from './config.ts';

export function textOptionsOf(c: TrainConfig, tags: readonly string[] | undefined, training: boolean): Omit<TextOptions, 'seed'> {
  const t = c.data.text;
  return {
    tags,
    subset: t.tags,
    values: t.values,
    shuffle: training && t.shuffle,
    dropout: training ? t.dropout : 0,
  };
}
