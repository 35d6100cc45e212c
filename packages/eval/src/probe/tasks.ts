/**
 * The probe tasks: what label each photo gets, and which photos take part.
 * - make: the folded brand (camera-names.ts), brands with >= 4 images;
 * - model: Make + Model, models with >= 2 images;
 * - iso, exposure, fnumber, focal: tertile buckets of the EXIF value over the photos that have
 *   it (edges at the 1/3 and 2/3 quantiles, a value equal to an edge goes below it);
 * - phone: phone vs dedicated camera (camera-names.ts);
 * - jpeg-quality: tertile buckets of the quality estimated from the luminance quantisation table
 *   (jpeg-quality.ts), JPEGs only.
 * A class with fewer than 2 images after bucketing is dropped (it cannot be in both a training
 * and a test fold).
 */
import { readFileSync } from 'node:fs';
import type { ExifValue } from '@exif-lang/data';
import { canonicalMake, isPhone } from './camera-names.ts';
import { estimateJpegQuality } from './jpeg-quality.ts';
import type { ProbeImage } from './photo-set.ts';

export const PROBE_TASKS = ['make', 'model', 'iso', 'exposure', 'fnumber', 'focal', 'phone', 'jpeg-quality'] as const;
export type ProbeTask = (typeof PROBE_TASKS)[number];

export function isProbeTask(s: string): s is ProbeTask {
  return (PROBE_TASKS as readonly string[]).includes(s);
}

export interface TaskLabels {
  task: string;
  classes: string[];
  /** indices into the photo list of the images that take part */
  images: number[];
  /** class of each taking-part image (parallel to `images`) */
  labels: Int32Array;
  /** how the labels were made, for the table's caption */
  rule: string;
}

const MIN_IMAGES: Record<ProbeTask, number> = { make: 4, model: 2, iso: 2, exposure: 2, fnumber: 2, focal: 2, phone: 2, 'jpeg-quality': 2 };
const EXIF_KEY: Partial<Record<ProbeTask, string>> = { iso: 'ISO', exposure: 'ExposureTime', fnumber: 'FNumber', focal: 'FocalLength' };

function num(v: ExifValue | undefined): number | undefined {
  const x = Array.isArray(v) ? v[0] : typeof v === 'string' ? Number.parseFloat(v) : v;
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : undefined;
}

/** Type-7 (linear interpolation) quantile of sorted values. */
export function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
}

function fmt(x: number): string {
  return x >= 1 ? String(+x.toPrecision(3)) : x.toPrecision(2);
}

/** Tertile buckets of the values (undefined: image left out). */
export function tertileBuckets(values: readonly (number | undefined)[]): { names: string[]; of: (v: number) => number; edges: [number, number] } {
  const sorted = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  if (sorted.length < 3) throw new Error(`tertile buckets need at least 3 values, got ${sorted.length}`);
  const edges: [number, number] = [quantile(sorted, 1 / 3), quantile(sorted, 2 / 3)];
  return {
    names: [`<=${fmt(edges[0])}`, `${fmt(edges[0])}-${fmt(edges[1])}`, `>${fmt(edges[1])}`],
    of: (v) => (v <= edges[0] ? 0 : v <= edges[1] ? 1 : 2),
    edges,
  };
}

function fromNames(task: ProbeTask, names: (string | undefined)[], rule: string, order?: string[]): TaskLabels {
  const counts = new Map<string, number>();
  for (const n of names) if (n !== undefined) counts.set(n, (counts.get(n) ?? 0) + 1);
  const kept = (order ?? [...counts.keys()].sort()).filter((c) => (counts.get(c) ?? 0) >= Math.max(2, MIN_IMAGES[task]));
  const id = new Map(kept.map((c, i) => [c, i]));
  const images: number[] = [];
  const labels: number[] = [];
  names.forEach((n, i) => {
    const c = n === undefined ? undefined : id.get(n);
    if (c !== undefined) {
      images.push(i);
      labels.push(c);
    }
  });
  return { task, classes: kept, images, labels: Int32Array.from(labels), rule };
}

export function taskLabels(task: ProbeTask, photos: readonly ProbeImage[]): TaskLabels {
  if (task === 'make') return fromNames(task, photos.map((p) => (p.make ? canonicalMake(p.make) : undefined)), 'brand (folded Make), brands with >= 4 images');
  if (task === 'model') return fromNames(task, photos.map((p) => (p.model ? `${canonicalMake(p.make)} ${p.model}` : undefined)), 'Make + Model, models with >= 2 images');
  if (task === 'phone') return fromNames(task, photos.map((p) => (p.make || p.model ? (isPhone(p.make, p.model) ? 'phone' : 'camera') : undefined)), 'phone vs dedicated camera (brand and model name)', ['camera', 'phone']);
  const values = task === 'jpeg-quality'
    ? photos.map((p) => (/\.jpe?g$/i.test(p.path) ? estimateJpegQuality(readFileSync(p.path)) : undefined))
    : photos.map((p) => num(p.exif[EXIF_KEY[task] ?? '']));
  const b = tertileBuckets(values);
  const what = task === 'jpeg-quality' ? 'estimated JPEG quality' : EXIF_KEY[task];
  return fromNames(task, values.map((v) => (v === undefined ? undefined : b.names[b.of(v)])),
    `${what} tertiles (edges ${fmt(b.edges[0])}, ${fmt(b.edges[1])} at the 1/3 and 2/3 quantiles)`, b.names);
}
