/**
 * The order images are visited in one epoch: a seeded shuffle of units, where a unit is one
 * image file, or one tar shard (its images in tar order, since a shard is read sequentially).
 * The shuffle buffer then mixes patches across units.
 */
import { derivedRng, shuffleInPlace } from '../util/rng.ts';

export interface StreamEntry {
  id: string;
  path: string;
  /** Tar member when `path` is a shard. */
  member?: string;
  width: number;
  height: number;
  exif: Record<string, string | number | number[]>;
}

export type Unit<E extends StreamEntry> = { kind: 'file'; entry: E } | { kind: 'shard'; path: string; entries: E[] };

export function epochUnits<E extends StreamEntry>(entries: readonly E[], seed: number, epoch: number): Unit<E>[] {
  const units: Unit<E>[] = [];
  const shards = new Map<string, E[]>();
  for (const e of entries) {
    if (e.member === undefined) units.push({ kind: 'file', entry: e });
    else {
      let list = shards.get(e.path);
      if (!list) shards.set(e.path, (list = []));
      list.push(e);
    }
  }
  for (const [path, list] of [...shards].sort((a, b) => (a[0] < b[0] ? -1 : 1))) units.push({ kind: 'shard', path, entries: list });
  return shuffleInPlace(units, derivedRng(seed, 'epoch-order', epoch));
}
