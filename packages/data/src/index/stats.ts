/**
 * Corpus statistics for `exiflang data stats`: tag frequencies, the tag set the threshold
 * chooses, and the token lengths of the resulting texts (to pick the tokenizer's max length).
 */
import type { ExifValue } from '../exif/read.ts';
import { exifToText } from '../exif/text.ts';
import { addToTagStats, chooseTags, emptyTagStats, type TagVocabulary } from '../exif/vocab.ts';
import { ExifTokenizer } from '../text/tokenizer.ts';

export interface LengthStats {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface CorpusStats {
  images: number;
  vocabulary: TagVocabulary;
  /** Tokens per text including [CLS] and [SEP], before truncation. */
  tokenLengths: LengthStats;
  maxLength: number;
  /** Texts longer than maxLength (they would be truncated). */
  truncated: number;
  /** The text of the first record, as an example. */
  example: string;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function lengthStats(values: readonly number[]): LengthStats {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
  return { count: s.length, mean, p50: percentile(s, 50), p90: percentile(s, 90), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? 0 };
}

export interface StatsOptions {
  threshold?: number;
  /** Use this vocabulary instead of choosing one from these records. */
  vocabulary?: TagVocabulary;
  maxLength?: number;
}

export function corpusStats(records: ReadonlyArray<Record<string, ExifValue>>, options: StatsOptions = {}): CorpusStats {
  const stats = emptyTagStats();
  for (const tags of records) addToTagStats(stats, { tags });
  const vocabulary = options.vocabulary ?? chooseTags(stats, { threshold: options.threshold });
  const tok = new ExifTokenizer({ maxLength: options.maxLength });
  const texts = records.map((tags) => exifToText({ tags }, { tags: vocabulary.tags }));
  const lengths = texts.map((t) => tok.encode(t).fullLength);
  return {
    images: records.length, vocabulary, tokenLengths: lengthStats(lengths), maxLength: tok.maxLength,
    truncated: lengths.filter((l) => l > tok.maxLength).length, example: texts[0] ?? '',
  };
}
