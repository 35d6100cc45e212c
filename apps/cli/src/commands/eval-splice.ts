import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { getGpu } from '@exif-lang/kernels';
import {
  DATASET_NAMES, LOCALIZE_METHODS, evaluateSplices, formatSpliceTable, isDatasetName, listDataset, noiseResidualExtractor, openExtractor,
  randomFeatureExtractor, randomInitExtractor, type FeatureExtractor, type LocalizeMethod, type SpliceSummary,
} from '@exif-lang/eval';
import { writeFileAtomic } from '@exif-lang/models';
import { progressBar } from './data-progress.ts';

/** What every evaluation runs beside our model unless --baselines says otherwise. */
export const BASELINES = ['random-init', 'noise-residual', 'random-map'] as const;
/**
 * Opt-in ablations: 'noise-residual-no-grid' is the hand-crafted descriptor without its JPEG-grid
 * group. That group measures blockiness per phase in image coordinates, so it separates a donor
 * whose 8x8 grid is shifted against the host's, a cue no patch embedding compared across patches
 * can use: the ablation says how much of the baseline's score is that cue.
 */
export const EXTRA_BASELINES = ['noise-residual-no-grid'] as const;
export type BaselineName = (typeof BASELINES)[number] | (typeof EXTRA_BASELINES)[number];
const ALL_BASELINES: readonly string[] = [...BASELINES, ...EXTRA_BASELINES];

export interface SpliceEvalOptions {
  checkpoint: string;
  dataset: string;
  root: string;
  json?: string;
  report?: string;
  results?: string;
  limit?: number;
  method: LocalizeMethod;
  baselines: BaselineName[];
  patchSize?: number;
  jpeg?: boolean;
  subset?: 'all' | 'spliced' | 'authentic';
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
}

function baselineList(v: string): BaselineName[] {
  if (v === 'none') return [];
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!ALL_BASELINES.includes(n)) throw new Error(`--baselines: ${n} is not one of ${ALL_BASELINES.join(', ')} (or 'none')`);
  return names as BaselineName[];
}

/** The whole splice evaluation (also the demo's last step): listing, extractors, harness, outputs. */
export async function runSpliceEval(o: SpliceEvalOptions, note: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<SpliceSummary> {
  if (!isDatasetName(o.dataset)) throw new Error(`--dataset: ${o.dataset} is not one of ${DATASET_NAMES.join(', ')}`);
  if (!(LOCALIZE_METHODS as readonly string[]).includes(o.method)) throw new Error(`--method: ${o.method} is not one of ${LOCALIZE_METHODS.join(', ')}`);
  const listing = await listDataset(o.dataset, o.root, { jpeg: o.jpeg });
  const subset = o.subset ?? 'all';
  if (!['all', 'spliced', 'authentic'].includes(subset)) throw new Error(`--subset must be all, spliced or authentic, got '${subset}'`);
  if (subset !== 'all') listing.samples = listing.samples.filter((s) => s.spliced === (subset === 'spliced'));
  for (const p of listing.problems) note(`  problem: ${p.path}: ${p.reason}`);
  if (listing.problems.length) note(`${listing.problems.length} file(s) of ${o.root} cannot be used (listed above); evaluating the other ${listing.samples.length}`);
  const gpu = await getGpu();
  const opened = openExtractor(gpu, o.checkpoint, { patchSize: o.patchSize });
  const extractors: FeatureExtractor[] = [opened.extractor];
  for (const b of o.baselines) {
    if (b === 'random-init') extractors.push(randomInitExtractor(gpu, opened));
    else if (b === 'noise-residual') extractors.push(noiseResidualExtractor({ patchSize: opened.patchSize }));
    else if (b === 'noise-residual-no-grid') extractors.push(noiseResidualExtractor({ patchSize: opened.patchSize, weights: { jpegGrid: 0 }, name: b }));
    else extractors.push(randomFeatureExtractor(7, { patchSize: opened.patchSize }));
  }
  const json = o.json ? resolve(o.json) : undefined;
  const results = o.results ?? (json ? json.replace(/\.json$/, '') + '.images.jsonl' : resolve(`splice-${o.dataset}.images.jsonl`));
  mkdirSync(dirname(results), { recursive: true });
  const bar = progressBar(`eval ${o.dataset}`);
  let summary: SpliceSummary;
  try {
    summary = await evaluateSplices({
      gpu, listing, extractors, method: o.method, limit: o.limit, resultsPath: results, reportDir: o.report,
      onProgress: bar.update, note,
    });
  } finally {
    bar.stop();
    for (const e of extractors) e.dispose?.();
    opened.dispose();
  }
  note(`\n${formatSpliceTable(summary)}\n`);
  note(`per-image results: ${results}`);
  if (json) {
    mkdirSync(dirname(json), { recursive: true });
    writeFileAtomic(json, [new TextEncoder().encode(`${JSON.stringify(summary, null, 2)}\n`)]);
    note(`summary: ${json}`);
  }
  if (o.report) note(`report: ${join(o.report, 'index.html')}`);
  for (const f of summary.failed) note(`  failed ${f.name}: ${f.error}`);
  return summary;
}

export function registerEvalSplice(evalCmd: Command): void {
  evalCmd
    .command('splice')
    .description('zero-shot splice localization benchmark: the paper\'s metrics for our model and every baseline on a dataset')
    .requiredOption('--checkpoint <file>', 'our training checkpoint or .safetensors, or the official .pth')
    .requiredOption('--dataset <name>', `one of ${DATASET_NAMES.join(', ')}`)
    .requiredOption('--root <dir>', 'the dataset folder (its usual layout)')
    .option('--json <file>', 'write the summary as JSON')
    .option('--report <dir>', 'write an HTML report (pictures per image, worst first)')
    .option('--results <file>', 'per-image JSON lines (default: beside --json); an interrupted run resumes from them')
    .option('--limit <n>', 'only the first n images (sorted by name)', positiveInt)
    .option('--method <m>', `localization: ${LOCALIZE_METHODS.join(' or ')}`, 'official')
    .option('--baselines <list>', `comma-separated, of ${BASELINES.join(', ')} (the default) and the ablation ${EXTRA_BASELINES.join(', ')}; or 'none'`, baselineList, [...BASELINES])
    .option('--patch-size <px>', 'patch side (default: the checkpoint\'s training patch, else 124)', positiveInt)
    .option('--jpeg', 'generated dataset: use the JPEG re-saves')
    .option('--subset <which>', "all, spliced (localization metrics only) or authentic images", 'all')
    .action(async (o: SpliceEvalOptions) => {
      await runSpliceEval(o);
    });
}

