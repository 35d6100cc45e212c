/**
 * EXIF as text, the paper's way: "Tag: value" pairs joined by ", ", tags in the fixed order of
 * tags.ts, missing tags omitted. Options exist for the paper's ablations: which tags (a corpus
 * vocabulary, only Make/Model, all but Make/Model, a named list), shuffled order and tag
 * dropout (both seeded per sample), and raw stored values instead of exiftool-style ones.
 */
import type { ExifRecord } from './read.ts';
import { isSensitiveTag } from './sensitive.ts';
import { TAGS, inTextOrder, rawValue, tagSpec } from './tags.ts';
import { derivedRng, shuffleInPlace } from '../util/rng.ts';

export type ValueMode = 'normalized' | 'raw';
/** 'make-model': only Make and Model; 'no-make-model': everything else; or a list of tag keys. */
export type TagSubset = 'all' | 'make-model' | 'no-make-model' | readonly string[];

export interface TextOptions {
  /** The tag set (exifr keys), normally `vocabulary.tags`; default: every tag of tags.ts. */
  tags?: readonly string[];
  subset?: TagSubset;
  values?: ValueMode;
  /** Shuffle the pairs (needs `seed`). */
  shuffle?: boolean;
  /** Drop each pair with this probability (needs `seed`); at least one pair is always kept. */
  dropout?: number;
  /** Per-sample seed for shuffle/dropout, e.g. hash32(runSeed, imageId, epoch). */
  seed?: number;
}

export interface ExifPair {
  key: string;
  name: string;
  value: string;
}

const MAKE_MODEL = new Set(['Make', 'Model']);

function subsetFilter(subset: TagSubset): (key: string) => boolean {
  if (subset === 'all') return () => true;
  if (subset === 'make-model') return (k) => MAKE_MODEL.has(k);
  if (subset === 'no-make-model') return (k) => !MAKE_MODEL.has(k);
  const named = new Set(subset);
  return (k) => named.has(k);
}

/** The text's pairs, after tag selection, value printing, dropout and shuffling. */
export function exifPairs(record: ExifRecord, options: TextOptions = {}): ExifPair[] {
  const keep = subsetFilter(options.subset ?? 'all');
  const keys = inTextOrder(options.tags ?? TAGS.map((t) => t.key)).filter((k) => keep(k) && !isSensitiveTag(k));
  let pairs: ExifPair[] = [];
  for (const key of keys) {
    const spec = tagSpec(key);
    const v = record.tags[key];
    if (!spec || v === undefined) continue;
    const value = options.values === 'raw' ? rawValue(v) : spec.print(v);
    // Values keep exiftool's wording ("Auto, Fired" has a comma, like the paper's texts); only
    // control characters and runs of whitespace are collapsed, so a text is one line.
    const clean = value?.replace(/[\s\u0000-\u001f]+/g, ' ').trim();
    if (clean) pairs.push({ key, name: spec.name, value: clean });
  }
  const dropout = options.dropout ?? 0;
  if ((options.shuffle || dropout > 0) && options.seed === undefined) {
    throw new Error('exifToText: shuffle and dropout need a seed');
  }
  if (dropout > 0 && pairs.length > 1) {
    const rng = derivedRng(options.seed ?? 0, 'dropout');
    const kept = pairs.filter(() => rng() >= dropout);
    pairs = kept.length > 0 ? kept : [pairs[Math.floor(rng() * pairs.length)]];
  }
  if (options.shuffle) shuffleInPlace(pairs, derivedRng(options.seed ?? 0, 'shuffle'));
  return pairs;
}

export function pairsToText(pairs: readonly ExifPair[]): string {
  return pairs.map((p) => `${p.name}: ${p.value}`).join(', ');
}

export function exifToText(record: ExifRecord, options: TextOptions = {}): string {
  return pairsToText(exifPairs(record, options));
}
