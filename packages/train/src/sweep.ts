/**
 * Ablation sweeps: one JSON file names a preset, shared overrides and the runs, either as a
 * grid (every combination of the listed values, first key slowest) or as an explicit list:
 *
 *   { "preset": "photos", "data": "../shared/photos", "set": { "run.steps": 120 },
 *     "grid": { "model.logitScale.learned": [true, false], "data.text.tags": ["all", "make-model"] } }
 *   { "preset": "tiny", "runs": [ { "name": "base" }, { "set": { "optimizer.lr": 5e-4 } } ] }
 *
 * Every run is an ordinary run in its own folder (<out>/<name>), so it resumes like any run and
 * a killed sweep, started again, skips what is finished and continues the run it stopped in.
 * Every config is resolved and validated before the first step. After each run (and at the
 * end) the sweep writes sweep.json (a row per run), sweep.md (the same as a table) and
 * sweep.png (the runs' curves overlaid); rows are read back from the run folders
 * (run-summary.ts), so they do not depend on which process trained them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Gpu } from '@exif-lang/kernels';
import type { TrainConfig } from './config.ts';
import { writeComparison } from './compare-chart.ts';
import { train } from './loop.ts';
import type { Json } from './overrides.ts';
import type { ProgressMode } from './progress.ts';
import { ConfigError, resolveConfig } from './resolve.ts';
import { readRunSummary, type RunSummary } from './run-summary.ts';

const jsonValue: z.ZodType<Json> = z.lazy(() => z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonValue), z.record(z.string(), jsonValue)]));
const overrides = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'a dotted field path'), jsonValue);

export const sweepFileSchema = z
  .strictObject({
    preset: z.string().optional(),
    /** data.source for every run (like --data) */
    data: z.string().optional(),
    /** overrides shared by every run (dotted path -> value) */
    set: overrides.default({}),
    grid: z.record(z.string(), z.array(jsonValue).min(1)).optional(),
    runs: z.array(z.strictObject({ name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ -').optional(), set: overrides.default({}) })).min(1).optional(),
  })
  .refine((s) => (s.grid === undefined) !== (s.runs === undefined), { message: 'give either "grid" or "runs"' });

export type SweepFile = z.output<typeof sweepFileSchema>;

export interface SweepRun {
  name: string;
  /** this run's own overrides (not the shared ones) */
  overrides: { [path: string]: Json };
  config: TrainConfig;
}

/** A folder-safe label of one override: its last path component and value. */
function label(path: string, v: Json): string {
  const value = typeof v === 'string' ? v : JSON.stringify(v);
  return `${path.split('.').at(-1)}=${value}`.replace(/[^A-Za-z0-9._=-]+/g, '_').slice(0, 60);
}

function combinations(grid: Record<string, Json[]>): { [path: string]: Json }[] {
  let out: { [path: string]: Json }[] = [{}];
  for (const [k, values] of Object.entries(grid)) out = out.flatMap((o) => values.map((v) => ({ ...o, [k]: v })));
  return out;
}

export function readSweepFile(path: string): SweepFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError([{ path: '', message: `cannot read ${path}: ${(e as Error).message}` }], 'sweep file');
  }
  const r = sweepFileSchema.safeParse(json);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })), `sweep file ${path}`);
  return r.data;
}

/** Every run of the sweep with its validated config (throws on the first invalid one, naming the run). */
export function planSweep(s: SweepFile, out: string): SweepRun[] {
  const own = s.grid ? combinations(s.grid).map((o) => ({ name: undefined as string | undefined, set: o })) : s.runs!.map((r) => ({ name: r.name, set: r.set }));
  const names = new Set<string>();
  return own.map((r, i) => {
    const auto = [String(i + 1).padStart(2, '0'), ...Object.entries(r.set).map(([k, v]) => label(k, v))].join('_');
    const name = r.name ?? auto;
    if (names.has(name)) throw new ConfigError([{ path: `runs.${i}.name`, message: `'${name}' names two runs` }], 'sweep file');
    names.add(name);
    const sets = [...Object.entries(s.set), ...Object.entries(r.set)].map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    try {
      const { config } = resolveConfig({ preset: s.preset, sets, data: s.data, out: join(out, name) });
      return { name, overrides: r.set, config };
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(e.issues, `sweep run ${name}`);
      throw e;
    }
  });
}

export interface SweepRow {
  name: string;
  out: string;
  overrides: { [path: string]: Json };
  status: 'done' | 'pending' | 'interrupted' | 'failed';
  error?: string;
  steps: number;
  /** wall seconds the sweep spent on this run, summed over its invocations (training, evaluation, checkpoints) */
  wallSeconds: number;
  trainSeconds: number;
  patchesPerSec: number | null;
  finalLoss: number | null;
  valTop1: number | null;
  valTop5: number | null;
  valChance: number | null;
  valImages: number | null;
  splicePmap: number | null;
  spliceImages: number | null;
  /** make linear-probe accuracy on the held-apart images at the end of the run (data.valProbe); null when off or skipped */
  makeProbe: number | null;
  peakBytes: number | null;
}

export interface SweepResult {
  out: string;
  rows: SweepRow[];
  json: string;
  markdown: string;
  png: string | null;
  interrupted: boolean;
}

function rowOf(run: SweepRun, s: RunSummary, status: SweepRow['status'], wallSeconds: number, error?: string): SweepRow {
  return {
    name: run.name, out: run.config.run.out, overrides: run.overrides, status, ...(error ? { error } : {}), steps: s.step, wallSeconds, trainSeconds: s.trainSeconds,
    patchesPerSec: s.patchesPerSec, finalLoss: s.finalLoss, valTop1: s.val?.top1 ?? null, valTop5: s.val?.top5 ?? null, valChance: s.val?.chance ?? null,
    valImages: s.val?.images ?? null, splicePmap: s.splice?.pmap ?? null, spliceImages: s.splice?.images ?? null, makeProbe: s.probe?.accuracy ?? null, peakBytes: s.peakBytes,
  };
}

const cell = (v: Json) => (typeof v === 'string' ? v : JSON.stringify(v));
const num = (x: number | null, d = 3) => (x === null ? '-' : x.toFixed(d));

export function sweepMarkdown(rows: readonly SweepRow[], title: string): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.overrides)))];
  const probe = rows.some((r) => r.makeProbe !== null);
  const head = ['run', ...keys, 'status', 'steps', 'wall s', 'patches/s', 'final loss', 'val top-1', 'val top-5', 'chance', 'splice p-mAP', ...(probe ? ['make probe'] : []), 'peak MiB'];
  const lines = [`# ${title}`, '', `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    const cells = [
      r.name, ...keys.map((k) => (k in r.overrides ? cell(r.overrides[k]) : '')), r.status, String(r.steps), r.wallSeconds.toFixed(0), num(r.patchesPerSec, 1), num(r.finalLoss),
      num(r.valTop1), num(r.valTop5), num(r.valChance), num(r.splicePmap), ...(probe ? [num(r.makeProbe)] : []), r.peakBytes === null ? '-' : (r.peakBytes / 2 ** 20).toFixed(0),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const v = rows.find((r) => r.valImages !== null);
  const sp = rows.find((r) => r.spliceImages !== null);
  lines.push('');
  if (v) lines.push(`Validation: patch -> text retrieval of several crops per held-apart image among the distinct validation texts (${v.valImages} images).`);
  if (sp) lines.push(`Splice p-mAP: the official localization's mean-shift map on ${sp.spliceImages} generated cross-camera splices of held-apart photos.`);
  if (probe) lines.push('Make probe: linear-probe accuracy (stratified CV by image) of the image tower\'s features on the held-apart photos\' EXIF Make (data.valProbe).');
  else lines.push('Make probe: not computed (data.valProbe off, or fewer than 2 makes with >= 4 held-apart photos); `exiflang eval probe --task make` on a run\'s checkpoint gives it.');
  return `${lines.join('\n')}\n`;
}

export interface SweepOptions {
  file: string;
  out: string;
  signal?: AbortSignal;
  progress?: ProgressMode;
  log?: (line: string) => void;
  gpu?: Gpu;
}

function previousWall(json: string): Map<string, number> {
  if (!existsSync(json)) return new Map();
  try {
    const prev = JSON.parse(readFileSync(json, 'utf8')) as { rows?: { name?: string; wallSeconds?: number }[] };
    return new Map((prev.rows ?? []).filter((r) => typeof r.name === 'string' && typeof r.wallSeconds === 'number').map((r) => [r.name!, r.wallSeconds!]));
  } catch {
    return new Map();
  }
}

export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const spec = readSweepFile(o.file);
  const plan = planSweep(spec, o.out);
  mkdirSync(o.out, { recursive: true });
  const paths = { json: join(o.out, 'sweep.json'), markdown: join(o.out, 'sweep.md'), png: join(o.out, 'sweep') };
  const wall = previousWall(paths.json);
  const status = new Map<string, { status: SweepRow['status']; error?: string }>();
  const title = `sweep ${o.file} (${plan.length} runs, preset ${spec.preset ?? 'tiny'})`;
  let png: string | null = null;
  const write = async (): Promise<SweepRow[]> => {
    const rows = plan.map((run) => {
      const s = readRunSummary(run.config.run.out);
      const st = status.get(run.name) ?? { status: s.finished && s.step >= run.config.run.steps ? 'done' : s.step > 0 ? 'interrupted' : 'pending' };
      return rowOf(run, s, st.status, wall.get(run.name) ?? 0, st.error);
    });
    writeFileSync(paths.json, `${JSON.stringify({ file: o.file, preset: spec.preset ?? 'tiny', shared: spec.set, data: spec.data ?? null, rows }, null, 2)}\n`);
    writeFileSync(paths.markdown, sweepMarkdown(rows, title));
    const runs = plan.map((run) => ({ name: run.name, records: readRunSummary(run.config.run.out).records })).filter((r) => r.records.length > 0);
    if (runs.length) png = await writeComparison(runs, paths.png, title);
    return rows;
  };
  log(`sweep: ${plan.length} runs into ${o.out}: ${plan.map((r) => r.name).join(', ')}`);
  let interrupted = false;
  for (const [i, run] of plan.entries()) {
    if (o.signal?.aborted) {
      interrupted = true;
      break;
    }
    log(`sweep run ${i + 1}/${plan.length}: ${run.name}`);
    const t0 = performance.now();
    try {
      const r = await train({ config: run.config, signal: o.signal, progress: o.progress, log: o.log, gpu: o.gpu });
      status.set(run.name, { status: r.interrupted ? 'interrupted' : 'done' });
      interrupted = r.interrupted;
    } catch (e) {
      if (o.signal?.aborted) throw e;
      status.set(run.name, { status: 'failed', error: (e as Error).message });
      log(`sweep run ${run.name} failed: ${(e as Error).message}`);
    } finally {
      wall.set(run.name, (wall.get(run.name) ?? 0) + (performance.now() - t0) / 1000);
    }
    await write();
    if (interrupted) break;
  }
  const rows = await write();
  return { out: o.out, rows, json: paths.json, markdown: paths.markdown, png, interrupted };
}
