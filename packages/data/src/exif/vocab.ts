/**
 * Corpus tag statistics and the tag vocabulary: which tags a training run writes into its texts.
 * The paper keeps tags present in at least 49% of the corpus. A vocabulary is computed once
 * (by `exiflang data index` or `data stats`), saved as JSON, and loaded by training so the tag
 * set stays fixed whatever subset of the data a run sees.
 */
import { z } from 'zod';
import type { ExifRecord } from './read.ts';
import { isSensitiveTag } from './sensitive.ts';
import { inTextOrder, tagSpec } from './tags.ts';

export const DEFAULT_TAG_THRESHOLD = 0.49;

export interface TagStats {
  /** Records counted. */
  images: number;
  /** Tag key -> number of records holding a printable value for it (sensitive tags never counted). */
  counts: Record<string, number>;
}

export function emptyTagStats(): TagStats {
  return { images: 0, counts: {} };
}

export function addToTagStats(stats: TagStats, record: ExifRecord): void {
  stats.images++;
  for (const [key, value] of Object.entries(record.tags)) {
    if (isSensitiveTag(key)) continue;
    const spec = tagSpec(key);
    if (spec && spec.print(value) === undefined) continue;
    stats.counts[key] = (stats.counts[key] ?? 0) + 1;
  }
}

export function countTags(records: Iterable<ExifRecord>): TagStats {
  const stats = emptyTagStats();
  for (const r of records) addToTagStats(stats, r);
  return stats;
}

const vocabularySchema = z.object({
  version: z.literal(1),
  threshold: z.number().min(0).max(1),
  images: z.number().int().nonnegative(),
  /** Every tag seen, key -> fraction of images, most frequent first. */
  frequency: z.record(z.string(), z.number()),
  /** The chosen tags, in text order. */
  tags: z.array(z.string()),
});

export type TagVocabulary = z.infer<typeof vocabularySchema>;

export interface ChooseOptions {
  /** Keep tags present in at least this fraction of images (default 0.49, the paper's). */
  threshold?: number;
}

/** Picks the tags by frequency among those tags.ts can print, in the fixed text order. */
export function chooseTags(stats: TagStats, options: ChooseOptions = {}): TagVocabulary {
  const threshold = options.threshold ?? DEFAULT_TAG_THRESHOLD;
  const n = Math.max(stats.images, 1);
  const frequency: Record<string, number> = {};
  for (const [k, c] of Object.entries(stats.counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    frequency[k] = c / n;
  }
  const chosen = Object.keys(frequency).filter((k) => tagSpec(k) !== undefined && frequency[k] >= threshold);
  return { version: 1, threshold, images: stats.images, frequency, tags: inTextOrder(chosen) };
}

/** Validates a vocabulary read from JSON (throws a readable zod error otherwise). */
export function parseVocabulary(json: unknown): TagVocabulary {
  const v = vocabularySchema.parse(json);
  const unknown = v.tags.filter((k) => !tagSpec(k) || isSensitiveTag(k));
  if (unknown.length > 0) throw new Error(`vocabulary names tags exif-lang cannot write: ${unknown.join(', ')}`);
  return { ...v, tags: inTextOrder(v.tags) };
}
