/** Stream entries from an index file, or straight from a source (EXIF and sizes read on the spot). */
import { readIndex } from '../index/build.ts';
import { probeSample, type IndexEntry } from '../index/probe.ts';
import { openSource } from '../sources/open.ts';
import { orderedMap } from '../util/timeout.ts';

export interface LoadedEntries {
  entries: IndexEntry[];
  /** Files a direct probe skipped, by reason (empty for an index file: its summary has them). */
  skipped: Record<string, number>;
}

export async function loadStreamEntries(source: string, minSize = 1): Promise<LoadedEntries> {
  if (/\.jsonl$/i.test(source)) return { entries: await readIndex(source), skipped: {} };
  const opened = await openSource(source);
  const entries: IndexEntry[] = [];
  const skipped: Record<string, number> = {};
  for await (const r of orderedMap(opened.samples(), 2, (s) => probeSample(s, { check: 'header', minSize }))) {
    if (r.ok) entries.push(r.entry);
    else skipped[r.skipped.reason] = (skipped[r.skipped.reason] ?? 0) + 1;
  }
  return { entries, skipped };
}
