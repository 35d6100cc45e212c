/**
 * The run's data: the synthetic zoo generated into `<out>/data/synth` (or the given source),
 * an index in `<out>/data/index.jsonl` (an index .jsonl source is read as is), the tag
 * vocabulary, and the split by image id into training and (capped) validation entries.
 *
 * Generated files are reused on a resume: each is trusted only when its marker (the
 * parameters that produced it, written last) matches, so a run killed mid-generation starts
 * that step over instead of training on half a dataset.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  buildIndex, filterSplit, generateSynthZoo, hash32, indexPaths, readIndex, readVocabulary, type IndexEntry,
} from '@exif-lang/data';
import { SYNTH_SOURCE, type TrainConfig } from './config.ts';

export interface RunData {
  /** what was indexed (the zoo's folder for 'synth') */
  source: string;
  index: string;
  /** the EXIF tags written into texts (the index's vocabulary); undefined: every known tag */
  tags: readonly string[] | undefined;
  train: IndexEntry[];
  /** sorted by id, at most data.valMaxImages */
  val: IndexEntry[];
  /** identifies the training set: a resume must see the same images */
  fingerprint: string;
}

const MARKER = '.complete.json';

function markerMatches(dir: string, want: unknown): boolean {
  const p = join(dir, MARKER);
  if (!existsSync(p)) return false;
  try {
    return readFileSync(p, 'utf8') === `${JSON.stringify(want)}\n`;
  } catch {
    return false;
  }
}

async function writeMarker(dir: string, what: unknown): Promise<void> {
  await writeFile(join(dir, MARKER), `${JSON.stringify(what)}\n`);
}

async function synthZoo(c: TrainConfig, dataDir: string, log: (s: string) => void): Promise<string> {
  const dir = join(dataDir, 'synth');
  const want = { synth: c.data.synth };
  if (markerMatches(dir, want)) return dir;
  const s = c.data.synth;
  log(`generating the synthetic zoo: ${s.images} images from ${s.cameras} cameras (${s.minSize}-${s.maxSize} px) into ${dir}`);
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  const r = await generateSynthZoo({ ...s, out: tmp });
  await rm(dir, { recursive: true, force: true });
  await rm(join(dataDir, 'index'), { recursive: true, force: true }); // it listed the old zoo's images
  await rename(tmp, dir);
  await writeMarker(dir, want);
  log(`  ${r.records.length} images in ${r.seconds.toFixed(1)} s`);
  return dir;
}

async function indexOf(source: string, c: TrainConfig, dataDir: string, log: (s: string) => void): Promise<{ index: string; vocabulary: string }> {
  if (/\.jsonl$/i.test(source)) return { index: source, vocabulary: indexPaths(source).vocabulary };
  const dir = join(dataDir, 'index');
  const index = join(dir, 'index.jsonl');
  const want = { source: resolve(source), minSize: c.data.patchSize };
  if (!markerMatches(dir, want)) {
    log(`indexing ${source}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const { summary } = await buildIndex(source, index, { minSize: c.data.patchSize });
    const skipped = Object.entries(summary.skipped).map(([k, n]) => `${k} ${n}`).join(', ');
    log(`  ${summary.indexed} of ${summary.total} images indexed in ${summary.seconds.toFixed(1)} s${skipped ? ` (skipped: ${skipped})` : ''}`);
    await writeMarker(dir, want);
  }
  return { index, vocabulary: indexPaths(index).vocabulary };
}

export function fingerprintOf(entries: readonly IndexEntry[]): string {
  const ids = entries.map((e) => e.id).sort();
  return `${ids.length}:${hash32('train-set', ...ids).toString(16).padStart(8, '0')}`;
}

export async function prepareData(c: TrainConfig, log: (s: string) => void = () => {}): Promise<RunData> {
  const dataDir = join(c.run.out, 'data');
  await mkdir(dataDir, { recursive: true });
  const source = c.data.source === SYNTH_SOURCE ? await synthZoo(c, dataDir, log) : c.data.source;
  if (c.data.source !== SYNTH_SOURCE && !existsSync(source)) throw new Error(`data.source: ${source} does not exist`);
  const { index, vocabulary } = await indexOf(source, c, dataDir, log);
  const entries = (await readIndex(index)).filter((e) => Math.min(e.width, e.height) >= c.data.patchSize);
  const tags = existsSync(vocabulary) ? (await readVocabulary(vocabulary)).tags : undefined;
  const byId = (a: IndexEntry, b: IndexEntry) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const train = filterSplit(entries, 'train', c.data.valFraction).sort(byId);
  const val = filterSplit(entries, 'val', c.data.valFraction).sort(byId).slice(0, c.data.valMaxImages);
  if (train.length < c.data.batchSize) {
    throw new Error(`data.batchSize: ${c.data.batchSize} exceeds the ${train.length} training images of ${source} (a batch holds distinct images)`);
  }
  return { source, index, tags, train, val, fingerprint: fingerprintOf(train) };
}
