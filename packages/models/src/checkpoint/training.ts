/**
 * Our training checkpoints: one safetensors file that resumes a run bit for bit.
 *
 * Tensors: the model's state dict under its own (canonical, PyTorch-layout) names, so the
 * file also loads wherever a model checkpoint does, plus the optimizer state under
 * `optim.<key>.<param>` (m / v / momentum, in the device layout of the parameter).
 * `__metadata__` (strings; structured values as JSON):
 *   format 'exif-lang', kind 'training', version, step, created,
 *   optimizer   OptimizerMeta (kind, hyper-parameters, groups, per-parameter steps, schedule)
 *   schedule    { spec, step, nextLr }: the schedule and where it stands
 *   module_rng  { <module path>: { calls, seed } } of every module with a dropout-style call
 *               counter (masks depend on both; a resume restores calls and checks the seed)
 *   rng, data, config, extra: the caller's JSON (seeds / RNG state, data-stream position,
 *               run configuration, anything else)
 * Written atomically (temp file, fsync, rename).
 */
import type { Module } from '../nn/module.ts';
import { OPTIM_PREFIX, type Optimizer, type OptimizerMeta } from '../optim/optimizer.ts';
import { lrAt, type ScheduleSpec } from '../optim/schedule.ts';
import { CHECKPOINT_FORMAT } from './convert.ts';
import { openSource } from './bytes.ts';
import { readSafetensors, readSafetensorsHeader, writeSafetensors, type Metadata } from './safetensors.ts';
import type { TensorMap } from './tensor.ts';

export const TRAINING_CHECKPOINT_KIND = 'training';
export const TRAINING_CHECKPOINT_VERSION = 1;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a training loop stores beside the weights and the optimizer. */
export interface TrainingMeta {
  /** optimizer updates done; default: the optimizer's stepCount (0 without one) */
  step?: number;
  /** the run's configuration (preset), verbatim */
  config?: JsonValue;
  /** data-stream position (epoch, shard, offset, sampler state ...) */
  data?: JsonValue;
  /** seeds and RNG state outside the model (data order, crops ...) */
  rng?: JsonValue;
  extra?: JsonValue;
}

export interface SaveTrainingOptions extends TrainingMeta {
  model: Module;
  optimizer?: Optimizer;
}

/** A checkpoint's metadata, parsed (readTrainingCheckpointInfo reads only the header). */
export interface TrainingCheckpointInfo {
  path: string;
  version: number;
  step: number;
  created: string | null;
  config: JsonValue | null;
  data: JsonValue | null;
  rng: JsonValue | null;
  extra: JsonValue | null;
  optimizer: OptimizerMeta | null;
  schedule: { spec: ScheduleSpec; step: number; nextLr: number } | null;
  moduleRng: Record<string, ModuleRngState>;
  /** names of the model tensors (everything not under `optim.`) */
  modelKeys: string[];
  metadata: Metadata;
}

/** A module with a dropout-style RNG: masks are a function of (seed, calls). */
interface RngModule {
  calls: number;
  readonly seed?: unknown;
}

/** Modules holding a dropout-style call counter (`calls`, beside a numeric `seed`). */
function rngModules(model: Module): [string, RngModule][] {
  const out: [string, RngModule][] = [];
  for (const [path, m] of model.modules()) {
    const r = m as unknown as Partial<RngModule>;
    if (typeof r.calls === 'number') out.push([path, m as unknown as RngModule]);
  }
  return out;
}

/** What the checkpoint keeps of each RNG module: where it stands and, to check it, its seed. */
export interface ModuleRngState {
  calls: number;
  seed: number | null;
}

function fail(path: string, msg: string): never {
  throw new Error(`${path}: ${msg}`);
}

/** Writes model + optimizer + run state atomically to `path`. Reads the GPU (not a per-step call). */
export async function saveTrainingCheckpoint(path: string, o: SaveTrainingOptions): Promise<{ tensors: number; step: number }> {
  const tensors: TensorMap = await o.model.stateDict();
  for (const k of tensors.keys()) if (k.startsWith(OPTIM_PREFIX)) fail(path, `model tensor '${k}' collides with the optimizer prefix '${OPTIM_PREFIX}'`);
  const step = o.step ?? o.optimizer?.stepCount ?? 0;
  if (!Number.isSafeInteger(step) || step < 0) fail(path, `step must be an integer >= 0, got ${step}`);
  const metadata: Metadata = {
    format: CHECKPOINT_FORMAT,
    kind: TRAINING_CHECKPOINT_KIND,
    version: String(TRAINING_CHECKPOINT_VERSION),
    step: String(step),
    created: new Date().toISOString(),
    module_rng: JSON.stringify(Object.fromEntries(rngModules(o.model).map(([p, m]): [string, ModuleRngState] => [p, { calls: m.calls, seed: typeof m.seed === 'number' ? m.seed : null }]))),
  };
  if (o.optimizer) {
    const st = await o.optimizer.stateDict();
    for (const [k, t] of st.tensors) tensors.set(k, t);
    metadata.optimizer = JSON.stringify(st.meta);
    const spec = o.optimizer.schedule;
    if (spec) metadata.schedule = JSON.stringify({ spec, step: o.optimizer.stepCount, nextLr: lrAt(spec, o.optimizer.stepCount) });
  }
  for (const k of ['config', 'data', 'rng', 'extra'] as const) if (o[k] !== undefined) metadata[k] = JSON.stringify(o[k]);
  writeSafetensors(path, tensors, metadata);
  return { tensors: tensors.size, step };
}

function parseJson(path: string, md: Metadata, key: string): JsonValue | null {
  const s = md[key];
  if (s === undefined) return null;
  try {
    return JSON.parse(s) as JsonValue;
  } catch (e) {
    return fail(path, `metadata '${key}' is not JSON (${(e as Error).message})`);
  }
}

function infoFrom(path: string, md: Metadata, names: string[]): TrainingCheckpointInfo {
  if (md.format !== CHECKPOINT_FORMAT || md.kind !== TRAINING_CHECKPOINT_KIND) {
    fail(path, `not an exif-lang training checkpoint (format ${JSON.stringify(md.format)}, kind ${JSON.stringify(md.kind)})`);
  }
  const version = Number(md.version);
  if (version !== TRAINING_CHECKPOINT_VERSION) fail(path, `training checkpoint version ${md.version}; this build reads ${TRAINING_CHECKPOINT_VERSION}`);
  const step = Number(md.step);
  if (!Number.isSafeInteger(step) || step < 0) fail(path, `bad step ${JSON.stringify(md.step)}`);
  const moduleRng = (parseJson(path, md, 'module_rng') ?? {}) as unknown as Record<string, ModuleRngState>;
  return {
    path,
    version,
    step,
    created: md.created ?? null,
    config: parseJson(path, md, 'config'),
    data: parseJson(path, md, 'data'),
    rng: parseJson(path, md, 'rng'),
    extra: parseJson(path, md, 'extra'),
    optimizer: parseJson(path, md, 'optimizer') as OptimizerMeta | null,
    schedule: parseJson(path, md, 'schedule') as TrainingCheckpointInfo['schedule'],
    moduleRng,
    modelKeys: names.filter((n) => !n.startsWith(OPTIM_PREFIX)),
    metadata: md,
  };
}

/** The metadata of a training checkpoint (reads only the header). */
export function readTrainingCheckpointInfo(path: string): TrainingCheckpointInfo {
  const src = openSource(path);
  try {
    const h = readSafetensorsHeader(src);
    return infoFrom(path, h.metadata, h.entries.map((e) => e.name));
  } finally {
    src.close();
  }
}

export interface LoadTrainingOptions {
  model: Module;
  /** restored when given (the checkpoint must then hold optimizer state) */
  optimizer?: Optimizer;
  /** every model key must match and dropout seeds must equal the checkpoint's (default true) */
  strict?: boolean;
}

/**
 * Restores the model (weights, buffers, counters, dropout call counters) and, when given,
 * the optimizer (state buffers, step counts, groups' rates, schedule) from `path`, into the
 * existing objects. A run continued after this is bit-for-bit the uninterrupted one, given
 * the same data from `info.data` / `info.rng`. Returns the checkpoint's metadata.
 */
export function loadTrainingCheckpoint(path: string, o: LoadTrainingOptions): TrainingCheckpointInfo {
  const file = readSafetensors(path);
  const info = infoFrom(path, file.metadata, [...file.tensors.keys()]);
  const model: TensorMap = new Map();
  const optim: TensorMap = new Map();
  for (const [k, t] of file.tensors) (k.startsWith(OPTIM_PREFIX) ? optim : model).set(k, t);
  if (o.optimizer && !info.optimizer) fail(path, 'holds no optimizer state (saved without an optimizer)');
  const strict = o.strict ?? true;
  // Checked before anything is written. A model key or shape mismatch throws from
  // loadStateDict, possibly after some tensors were written: discard the objects then.
  const optimState = o.optimizer && info.optimizer ? { tensors: optim, meta: info.optimizer } : null;
  if (o.optimizer && optimState) o.optimizer.checkStateDict(optimState);
  const rng = rngModules(o.model);
  if (strict) {
    for (const [p, m] of rng) {
      const saved = info.moduleRng[p];
      if (saved && saved.seed !== null && typeof m.seed === 'number' && saved.seed !== m.seed) {
        fail(path, `dropout module '${p}' has seed ${m.seed}, the checkpoint ${saved.seed}: build the model with the run's config (seed) to resume it, or load with strict: false`);
      }
    }
  }
  o.model.loadStateDict(model, { strict });
  if (o.optimizer && optimState) o.optimizer.loadStateDict(optimState);
  for (const [p, m] of rng) {
    const saved = info.moduleRng[p];
    if (saved) m.calls = saved.calls;
  }
  return info;
}
