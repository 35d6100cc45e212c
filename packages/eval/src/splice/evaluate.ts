/**
 * The splice benchmark harness: every image of a dataset through the same grid and the same
 * localization with our model and each baseline, the paper's metrics per image (localization
 * on spliced images, detection over all), per-image JSON lines that a killed run resumes from,
 * the summary and optionally the HTML report.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpu } from '@exif-lang/kernels';
import { decodeImage } from '@exif-lang/data';
import type { DatasetListing, SpliceSample } from '../datasets/index.ts';
import { loadMask } from '../datasets/index.ts';
import { detectionScores, meanScores, scoreLocalization, type PixelScores } from '../metrics/index.ts';
import { localize, type LocalizeMethod } from '../localize/localize.ts';
import type { FeatureExtractor, PhaseTimes } from '../localize/types.ts';
import { writeReport, type ReportRow } from '../render/index.ts';
import { writeThumbnails, type Thumbnails } from './thumbnails.ts';

export interface MethodResult {
  score: number;
  /** localization metrics (spliced images only) */
  metrics?: PixelScores;
  timings: PhaseTimes;
}

/** One line of the per-image JSONL. */
export interface ImageResult {
  name: string;
  spliced: boolean;
  width: number;
  height: number;
  results: Record<string, MethodResult>;
  /** set when the image could not be evaluated */
  error?: string;
  /** thumbnails of our result (with a report) */
  pictures?: Thumbnails;
}

export type MethodSummary = PixelScores & { images: number; detectionAp: number; detectionAuc: number; seconds: number };

export interface SpliceSummary {
  dataset: string;
  root: string;
  method: LocalizeMethod;
  images: number;
  spliced: number;
  failed: { name: string; error: string }[];
  ours: MethodSummary;
  baselines: Record<string, MethodSummary>;
}

export interface EvaluateOptions {
  gpu: Gpu;
  listing: DatasetListing;
  /** the first is "ours" */
  extractors: FeatureExtractor[];
  method?: LocalizeMethod;
  limit?: number;
  /** per-image JSON lines; existing lines are kept and their images skipped (resume) */
  resultsPath: string;
  reportDir?: string;
  onProgress?: (done: number, total: number) => void;
  note?: (line: string) => void;
}

function readResults(path: string): Map<string, ImageResult> {
  const done = new Map<string, ImageResult>();
  if (!existsSync(path)) return done;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as ImageResult;
      done.set(r.name, r);
    } catch {
      // a line cut by a kill: the image is evaluated again
    }
  }
  return done;
}

async function evaluateOne(o: EvaluateOptions, s: SpliceSample, index: number): Promise<ImageResult> {
  const decoded = await decodeImage(s.image);
  if (!decoded.ok) throw new Error(`cannot decode (${decoded.reason}: ${decoded.detail})`);
  const img = decoded.image;
  const truth = s.spliced ? await loadMask(o.listing, s, img.width, img.height) : null;
  const out: ImageResult = { name: s.name, spliced: s.spliced, width: img.width, height: img.height, results: {} };
  for (const [k, ex] of o.extractors.entries()) {
    const r = await localize(o.gpu, ex, img, { method: o.method, name: s.image });
    const res: MethodResult = { score: r.score, timings: r.timings };
    // A truth mask without spliced pixels (an empty ground truth) has no localization score.
    if (truth && truth.some((v) => v > 0)) res.metrics = scoreLocalization(truth, r.heatmap);
    out.results[ex.name] = res;
    if (k === 0 && o.reportDir) {
      out.pictures = await writeThumbnails(join(o.reportDir, 'images'), String(index).padStart(5, '0'), img, r, truth);
    }
  }
  return out;
}

function summarize(name: string, rows: ImageResult[]): MethodSummary {
  const ok = rows.filter((r) => r.results[name]);
  const loc = meanScores(ok.flatMap((r) => (r.results[name].metrics ? [r.results[name].metrics] : [])));
  // Detection needs both classes (a spliced-only subset has no detection score).
  const labels = ok.map((r) => (r.spliced ? 1 : 0));
  const both = labels.includes(0) && labels.includes(1);
  const det = both ? detectionScores(labels, ok.map((r) => r.results[name].score)) : { ap: NaN, auc: NaN };
  const seconds = ok.reduce((a, r) => a + Object.values(r.results[name].timings).reduce((x, y) => x + (y ?? 0), 0), 0) / 1000;
  return { ...loc, detectionAp: det.ap, detectionAuc: det.auc, seconds };
}

export async function evaluateSplices(o: EvaluateOptions): Promise<SpliceSummary> {
  const samples = o.listing.samples.slice(0, o.limit ?? o.listing.samples.length);
  if (samples.length === 0) throw new Error(`${o.listing.root}: no images to evaluate`);
  const done = readResults(o.resultsPath);
  const names = o.extractors.map((e) => e.name);
  // A resumed line must carry every method asked for now; otherwise that image is redone.
  for (const [k, r] of done) if (!r.error && !names.every((n) => r.results[n])) done.delete(k);
  if (done.size) o.note?.(`resuming: ${done.size} of ${samples.length} images already evaluated in ${o.resultsPath}`);
  const rows: ImageResult[] = [];
  for (const [i, s] of samples.entries()) {
    o.onProgress?.(i, samples.length);
    let r = done.get(s.name);
    if (!r) {
      try {
        r = await evaluateOne(o, s, i);
      } catch (e) {
        r = { name: s.name, spliced: s.spliced, width: 0, height: 0, results: {}, error: (e as Error).message };
        o.note?.(`${s.image}: ${r.error}`);
      }
      appendFileSync(o.resultsPath, `${JSON.stringify(r)}\n`);
    }
    rows.push(r);
  }
  o.onProgress?.(samples.length, samples.length);
  const good = rows.filter((r) => !r.error);
  const [ours, ...rest] = names;
  const summary: SpliceSummary = {
    dataset: o.listing.dataset,
    root: o.listing.root,
    method: o.method ?? 'official',
    images: good.length,
    spliced: good.filter((r) => r.spliced).length,
    failed: rows.filter((r) => r.error).map((r) => ({ name: r.name, error: r.error ?? '' })),
    ours: summarize(ours, good),
    baselines: Object.fromEntries(rest.map((n) => [n, summarize(n, good)])),
  };
  if (o.reportDir) await writeSpliceReport(o.reportDir, summary, good, names);
  return summary;
}

const COLUMNS: [keyof MethodSummary, string][] = [
  ['pmap', 'p-mAP'], ['ciou', 'cIoU'], ['ciouSingle', 'cIoU 1-thr'], ['f1', 'F1'], ['mcc', 'MCC'], ['auc', 'AUC'], ['detectionAp', 'det. mAP'], ['detectionAuc', 'det. AUC'],
];

/** The paper-style table: one row per method. */
export function formatSpliceTable(s: SpliceSummary): string {
  const rows: [string, MethodSummary][] = [['ours', s.ours], ...Object.entries(s.baselines)];
  const w = Math.max(12, ...rows.map(([n]) => n.length));
  const head = `${'method'.padEnd(w)}  ${COLUMNS.map(([, h]) => h.padStart(12)).join('')}  ${'s/image'.padStart(8)}`;
  const lines = rows.map(([n, m]) => `${n.padEnd(w)}  ${COLUMNS.map(([k]) => (Number.isFinite(m[k]) ? (m[k] as number).toFixed(3) : '-').padStart(12)).join('')}  ${(m.seconds / Math.max(1, s.images)).toFixed(2).padStart(8)}`);
  return [`${s.dataset}: ${s.images} images (${s.spliced} spliced), ${s.method} localization`, head, ...lines].join('\n');
}

async function writeSpliceReport(dir: string, s: SpliceSummary, rows: ImageResult[], names: string[]): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const summary = [['ours', s.ours] as const, ...Object.entries(s.baselines)].map(([name, m]) => ({
    name, metrics: Object.fromEntries(COLUMNS.map(([k, h]) => [h, m[k] as number])),
  }));
  const report: ReportRow[] = rows.flatMap((r) => {
    if (!r.pictures) return [];
    const ours = r.results[names[0]];
    const metrics: Record<string, number> = ours.metrics ? { pmap: ours.metrics.pmap, ciou: ours.metrics.ciou, f1: ours.metrics.f1 } : {};
    for (const b of names.slice(1)) { const m = r.results[b]?.metrics; if (m) metrics[`${b} pmap`] = m.pmap; }
    return [{ ...r.pictures, name: r.name, score: ours.score, metrics, spliced: r.spliced }];
  });
  return writeReport(dir, { title: `Splice localization: ${s.dataset} (${s.images} images)`, summary, rows: report, sortKey: 'pmap', notes: [`root ${s.root}`, `${s.method} localization`] });
}
