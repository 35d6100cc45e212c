/**
 * `exiflang data index`: one pass over a source probing every sample (EXIF, size, decodability),
 * then the tag vocabulary from the corpus, then the texts. Writes
 *   <out>                 JSONL, one IndexEntry per usable image, in source order
 *   <out stem>.vocab.json the tag vocabulary (frequencies + chosen tags), unless one was given
 *   <out stem>.summary.json counts by reason and every skipped file with its reason
 * Entries are spooled to a temporary file between passes, so memory stays flat on large corpora.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { exifToText } from '../exif/text.ts';
import { addToTagStats, chooseTags, emptyTagStats, parseVocabulary, type TagVocabulary } from '../exif/vocab.ts';
import { openSource } from '../sources/open.ts';
import { orderedMap } from '../util/timeout.ts';
import { probeSample, type IndexEntry, type ProbeOptions, type SkippedEntry, type SkipReason } from './probe.ts';

export interface IndexOptions extends ProbeOptions {
  /** Samples probed at once (default 2; sharp decodes on its own thread pool). */
  concurrency?: number;
  /** Tag-frequency threshold for the vocabulary (default 0.49). */
  threshold?: number;
  /** Use this vocabulary (e.g. the training set's) instead of computing one. */
  vocabulary?: TagVocabulary;
  /** Manifest path column. */
  pathColumn?: string;
  /** Called after every sample; total is known for folders and manifests' first pass only. */
  onProgress?: (done: number, total: number | undefined) => void;
}

export interface IndexSummary {
  source: string;
  kind: string;
  /** Samples seen = indexed + skipped. */
  total: number;
  indexed: number;
  skipped: Partial<Record<SkipReason, number>>;
  skippedFiles: SkippedEntry[];
  /** Files in a folder that are neither images nor shards (not samples). */
  ignoredFiles: number;
  seconds: number;
  outputs: { index: string; vocabulary: string; summary: string };
}

export function indexPaths(out: string): IndexSummary['outputs'] {
  const stem = out.replace(/\.jsonl?$/i, '');
  return { index: out, vocabulary: `${stem}.vocab.json`, summary: `${stem}.summary.json` };
}

async function write(stream: WriteStream, line: string): Promise<void> {
  if (!stream.write(line)) await once(stream, 'drain');
}

async function close(stream: WriteStream): Promise<void> {
  await new Promise<void>((res, rej) => stream.end((e?: Error | null) => (e ? rej(e) : res())));
}

export async function buildIndex(sourcePath: string, out: string, options: IndexOptions = {}): Promise<{ summary: IndexSummary; vocabulary: TagVocabulary }> {
  const t0 = performance.now();
  const outputs = indexPaths(out);
  const source = await openSource(sourcePath, { pathColumn: options.pathColumn });
  const total = source.listing ? source.listing.images.length + (source.listing.shards.length > 0 ? Number.NaN : 0) : undefined;
  const spool = `${out}.tmp-${process.pid}`;
  const stats = emptyTagStats();
  const skippedFiles: SkippedEntry[] = [];
  const skipped: IndexSummary['skipped'] = {};
  let done = 0;
  let indexed = 0;

  await mkdir(dirname(out), { recursive: true });
  const tmp = createWriteStream(spool);
  try {
    for await (const r of orderedMap(source.samples(), options.concurrency ?? 2, (s) => probeSample(s, options))) {
      done++;
      if (r.ok) {
        indexed++;
        addToTagStats(stats, { tags: r.entry.exif });
        await write(tmp, `${JSON.stringify(r.entry)}\n`);
      } else {
        skippedFiles.push(r.skipped);
        skipped[r.skipped.reason] = (skipped[r.skipped.reason] ?? 0) + 1;
      }
      options.onProgress?.(done, total !== undefined && Number.isFinite(total) ? total : undefined);
    }
    await close(tmp);

    const vocabulary = options.vocabulary ?? chooseTags(stats, { threshold: options.threshold });
    const final = createWriteStream(out);
    for await (const line of createInterface({ input: createReadStream(spool), crlfDelay: Infinity })) {
      if (line === '') continue;
      const entry = JSON.parse(line) as IndexEntry;
      entry.text = exifToText({ tags: entry.exif }, { tags: vocabulary.tags });
      await write(final, `${JSON.stringify(entry)}\n`);
    }
    await close(final);
    if (!options.vocabulary) await writeFile(outputs.vocabulary, `${JSON.stringify(vocabulary, null, 2)}\n`);

    const summary: IndexSummary = {
      source: sourcePath, kind: source.kind, total: done, indexed, skipped, skippedFiles,
      ignoredFiles: source.listing?.ignored.length ?? 0, seconds: (performance.now() - t0) / 1000, outputs,
    };
    await writeFile(outputs.summary, `${JSON.stringify(summary, null, 2)}\n`);
    return { summary, vocabulary };
  } finally {
    tmp.destroy();
    await rm(spool, { force: true });
  }
}

/** Reads an index file written by buildIndex. */
export async function readIndex(path: string): Promise<IndexEntry[]> {
  const text = await readFile(path, 'utf8');
  const entries: IndexEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const e = JSON.parse(line) as Partial<IndexEntry>;
    if (typeof e.id !== 'string' || typeof e.path !== 'string' || typeof e.width !== 'number' || typeof e.exif !== 'object') {
      throw new Error(`${path}:${i + 1}: not an index entry`);
    }
    entries.push(e as IndexEntry);
  });
  return entries;
}

export async function readVocabulary(path: string): Promise<TagVocabulary> {
  return parseVocabulary(JSON.parse(await readFile(path, 'utf8')));
}
