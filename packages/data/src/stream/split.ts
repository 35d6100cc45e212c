/**
 * Train/validation split by image, never by patch: an image's side depends only on a hash of
 * its id (path relative to the dataset root, or shard#key), so it never changes when files are
 * added, removed or reordered, and all crops of one photo land on the same side.
 */
import { hash32 } from '../util/rng.ts';

export type Split = 'train' | 'val';

export const DEFAULT_VAL_FRACTION = 0.1;

export function splitOf(id: string, valFraction = DEFAULT_VAL_FRACTION, salt = ''): Split {
  if (valFraction <= 0) return 'train';
  if (valFraction >= 1) return 'val';
  return hash32('split', salt, id) / 4294967296 < valFraction ? 'val' : 'train';
}

export function filterSplit<T extends { id: string }>(items: readonly T[], split: Split | 'all', valFraction = DEFAULT_VAL_FRACTION, salt = ''): T[] {
  return split === 'all' ? [...items] : items.filter((x) => splitOf(x.id, valFraction, salt) === split);
}
