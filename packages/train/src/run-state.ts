/**
 * What a training checkpoint stores beside the model and optimizer, and the rules for resuming
 * from one: the data-stream position (batches.ts), a fingerprint of the training images, the
 * seeds, and the resolved config, which must match the resumed run's except for the settings
 * that do not change what is computed (RESUMABLE_CHANGES).
 */
import type { JsonValue, TrainingCheckpointInfo } from '@exif-lang/models';
import type { BatchPosition } from './batches.ts';
import type { TrainConfig } from './config.ts';

export interface RunState {
  position: BatchPosition;
  /** fingerprintOf(training entries) */
  fingerprint: string;
  /** training seconds and patches so far, across resumes */
  elapsed: number;
  patches: number;
}

/** Config fields a resumed run may set differently (length, bookkeeping, data location, validation only). */
export const RESUMABLE_CHANGES = new Set([
  'run.steps', 'run.out', 'run.logEvery', 'run.checkpointEvery', 'run.keepLast', 'run.validateEvery', 'data.workers', 'data.source',
  'run.spliceEvery', 'data.valCrops', 'data.valSplices.count', 'data.valSplices.maxSize', 'data.valSplices.perSide', 'data.valSplices.seed',
]);

/**
 * Fields added to the schema after checkpoints were written, with their defaults (as JSON): a
 * checkpoint without the field was trained as the default says, so it resumes under it.
 */
const ADDED_FIELDS = new Map([
  ['data.text.tags', '"all"'], ['data.text.shuffle', 'false'], ['data.text.dropout', '0'], ['data.text.values', '"normalized"'], ['data.chunkSize', 'null'],
]);

export function stateMeta(s: RunState): { data: JsonValue; extra: JsonValue } {
  return {
    data: { position: { epoch: s.position.epoch, batch: s.position.batch }, fingerprint: s.fingerprint, stream: 'one PatchStream per epoch, seed hash32(run.seed, "train-epoch", epoch)' },
    extra: { elapsed: s.elapsed, patches: s.patches },
  };
}

function fail(path: string, what: string): never {
  throw new Error(`${path}: ${what} (not a checkpoint of this trainer?)`);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function stateFromInfo(info: TrainingCheckpointInfo): RunState {
  const data = info.data as { position?: { epoch?: unknown; batch?: unknown }; fingerprint?: unknown } | null;
  const extra = info.extra as { elapsed?: unknown; patches?: unknown } | null;
  const pos = data?.position;
  if (!pos || !isCount(pos.epoch) || !isCount(pos.batch)) fail(info.path, 'no data-stream position in its metadata');
  if (typeof data.fingerprint !== 'string') fail(info.path, 'no training-set fingerprint in its metadata');
  return {
    position: { epoch: pos.epoch, batch: pos.batch },
    fingerprint: data.fingerprint,
    elapsed: typeof extra?.elapsed === 'number' ? extra.elapsed : 0,
    patches: isCount(extra?.patches) ? extra.patches : 0,
  };
}

function flatten(v: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(v));
  return out;
}

/** Fields where `now` differs from the checkpoint's config and a resume may not change them. */
export function configConflicts(saved: JsonValue | null, now: TrainConfig): { path: string; saved: string; now: string }[] {
  const a = flatten(saved ?? {}, '', new Map());
  const b = flatten(JSON.parse(JSON.stringify(now)), '', new Map());
  const out: { path: string; saved: string; now: string }[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    if (RESUMABLE_CHANGES.has(k) || a.get(k) === b.get(k)) continue;
    if (!a.has(k) && ADDED_FIELDS.get(k) === b.get(k)) continue;
    out.push({ path: k, saved: a.get(k) ?? 'absent', now: b.get(k) ?? 'absent' });
  }
  return out.sort((x, y) => (x.path < y.path ? -1 : 1));
}
