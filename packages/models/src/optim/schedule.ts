/**
 * Learning-rate schedules as pure functions of the optimizer step, so a resumed run gets the
 * same rate from nothing but the step count and the (JSON) spec stored in its checkpoint.
 *
 * `step` is the number of updates already done: lrAt(spec, 0) is the rate of the first update.
 * Every schedule can start with a linear warm-up of `warmupSteps` updates whose factor is
 * (step + 1) / warmupSteps, as pytorch_warmup's LinearWarmup used by the official training
 * (so the first update already moves, and update warmupSteps - 1 runs at the full rate).
 */

export type ScheduleSpec =
  /** `lr` throughout (after the optional warm-up). */
  | { kind: 'constant'; lr: number; warmupSteps?: number }
  /**
   * The paper's: warm-up, then cosine decay from `lr` to `minLr` (default 0) over the
   * remaining totalSteps - warmupSteps updates (CosineAnnealingLR's closed form, per step),
   * `minLr` afterwards. The official run decays to 1e-7.
   */
  | { kind: 'cosine'; lr: number; totalSteps: number; warmupSteps?: number; minLr?: number }
  /** StepLR after the warm-up: lr * gamma^floor((step - warmupSteps) / stepSize). */
  | { kind: 'step'; lr: number; stepSize: number; gamma: number; warmupSteps?: number };

export type ScheduleKind = ScheduleSpec['kind'];

/** The paper's recipe: Adam lr 1e-4, linear warm-up, cosine decay to 1e-7. */
export function paperSchedule(totalSteps: number, warmupSteps: number, lr = 1e-4): ScheduleSpec {
  return { kind: 'cosine', lr, totalSteps, warmupSteps, minLr: 1e-7 };
}

function fail(msg: string): never {
  throw new Error(`schedule: ${msg}`);
}

const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isRate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Throws a message naming the bad field; returns the spec typed. */
export function validateSchedule(spec: ScheduleSpec): ScheduleSpec {
  if (!isRate(spec.lr)) fail(`lr must be a finite number >= 0, got ${spec.lr}`);
  const warm = spec.warmupSteps ?? 0;
  if (!isNonNegInt(warm)) fail(`warmupSteps must be an integer >= 0, got ${spec.warmupSteps}`);
  switch (spec.kind) {
    case 'constant':
      return spec;
    case 'cosine': {
      if (!isNonNegInt(spec.totalSteps) || spec.totalSteps < warm) {
        fail(`totalSteps must be an integer >= warmupSteps (${warm}), got ${spec.totalSteps}`);
      }
      const min = spec.minLr ?? 0;
      if (!isRate(min) || min > spec.lr) fail(`minLr must be in [0, lr = ${spec.lr}], got ${spec.minLr}`);
      return spec;
    }
    case 'step':
      if (!isNonNegInt(spec.stepSize) || spec.stepSize === 0) fail(`stepSize must be an integer >= 1, got ${spec.stepSize}`);
      if (!isRate(spec.gamma)) fail(`gamma must be a finite number >= 0, got ${spec.gamma}`);
      return spec;
    default:
      return fail(`unknown kind ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  }
}

/** The learning rate of update `step` (0-based count of updates already done). */
export function lrAt(spec: ScheduleSpec, step: number): number {
  if (!isNonNegInt(step)) fail(`step must be an integer >= 0, got ${step}`);
  const warm = spec.warmupSteps ?? 0;
  if (step < warm) return (spec.lr * (step + 1)) / warm;
  const t = step - warm;
  switch (spec.kind) {
    case 'constant':
      return spec.lr;
    case 'cosine': {
      const min = spec.minLr ?? 0;
      const span = spec.totalSteps - warm;
      if (t >= span) return min;
      return min + ((spec.lr - min) * (1 + Math.cos((Math.PI * t) / span))) / 2;
    }
    case 'step':
      return spec.lr * spec.gamma ** Math.floor(t / spec.stepSize);
  }
}

/** A validated spec from parsed JSON (a checkpoint's metadata); throws naming what is wrong. */
export function parseSchedule(json: unknown): ScheduleSpec {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(`expected an object, got ${JSON.stringify(json)}`);
  const kind = (json as { kind?: unknown }).kind;
  if (kind !== 'constant' && kind !== 'cosine' && kind !== 'step') fail(`unknown kind ${JSON.stringify(kind)}`);
  return validateSchedule(json as ScheduleSpec);
}
