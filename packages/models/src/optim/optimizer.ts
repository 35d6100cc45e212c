import type { Gpu, GpuBuffer, GradScaleOptions } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import type { TensorMap } from '../checkpoint/tensor.ts';
import { isGroupList, namedParams, type ParamGroupSpec, type ParamSource } from './params.ts';
import { lrAt, parseSchedule, validateSchedule, type ScheduleSpec } from './schedule.ts';
import { GradNorm, recordGradNorm } from './clip.ts';

/** A parameter group as the optimizer runs it. */
export interface ParamGroup {
  readonly names: readonly string[];
  readonly params: readonly Tensor[];
  /** the rate of the next update */
  lr: number;
  /** this group's lr / the optimizer's lr at construction: what setLr and schedules scale */
  readonly lrScale: number;
  weightDecay: number;
}

/** One parameter's slot: its group, its own update count and its state buffers (m, v, ...). */
export interface ParamSlot {
  readonly name: string;
  readonly param: Tensor;
  readonly group: ParamGroup;
  /** updates this parameter received (PyTorch's state['step']; steps without a grad don't count) */
  step: number;
  /** state buffers by key, allocated (zeroed) on the parameter's first update */
  readonly state: Map<string, GpuBuffer>;
}

export interface OptimizerOptions {
  lr: number;
  weightDecay?: number;
  /** Clip the total gradient norm to this before every update (no readback). */
  maxGradNorm?: number;
  /** When set, each step() first sets the rate to lrAt(schedule, stepCount). */
  schedule?: ScheduleSpec;
}

export interface StepOptions {
  /** Host factor on every gradient (e.g. 1 / accumulation steps); the clip sees scaled gradients. */
  gradScale?: number;
  /** Overrides the optimizer's maxGradNorm for this step (Infinity: norm only, no clipping). */
  maxGradNorm?: number;
}

export interface StepResult {
  /** this update's index (0-based; the lr came from lrAt(schedule, step)) */
  step: number;
  /** the rate of the first group in this update */
  lr: number;
  /** the norm computed for clipping, read lazily (null without clipping) */
  gradNorm: GradNorm | null;
  updated: number;
  /** parameters without a gradient this step (left untouched, as PyTorch does) */
  skipped: number;
}

export type OptimizerKind = 'adam' | 'adamw' | 'sgd';

/** Everything needed to resume: the state tensors and a JSON-able description. */
export interface OptimizerState {
  /** `optim.<key>.<param name>` -> F32 tensor shaped like the parameter on the GPU (device layout) */
  tensors: TensorMap;
  meta: OptimizerMeta;
}

export interface OptimizerMeta {
  kind: OptimizerKind;
  /** hyper-parameters other than lr / weight decay (betas, eps, momentum, ...) */
  hyper: Record<string, number | boolean>;
  /** number of step() calls */
  stepCount: number;
  /** the optimizer's own rate after the last step (setLr / schedule) */
  lr: number;
  schedule: ScheduleSpec | null;
  maxGradNorm: number | null;
  groups: { lr: number; lrScale: number; weightDecay: number; params: string[] }[];
  /** per-parameter update counts (parameters never updated are absent) */
  steps: Record<string, number>;
}

export const OPTIM_PREFIX = 'optim.';

/**
 * The optimizer base: parameter groups, per-parameter state on the GPU, gradient-norm
 * clipping and learning-rate scheduling. step() only records GPU work (no readback, no
 * upload), so a training step stays one command stream. Subclasses give the update kernel.
 */
export abstract class Optimizer {
  readonly groups: ParamGroup[] = [];
  readonly slots: ParamSlot[] = [];
  readonly gpu: Gpu;
  /** the optimizer's own rate (groups run at lr times their lrScale) */
  lr: number;
  schedule: ScheduleSpec | null;
  maxGradNorm: number | null;
  /** number of step() calls so far (the schedule's step) */
  stepCount = 0;
  private normBuf: GpuBuffer | null = null;

  abstract readonly kind: OptimizerKind;
  /** state buffer keys per parameter, e.g. ['m', 'v'] */
  protected abstract stateKeys(): readonly string[];
  protected abstract hyper(): Record<string, number | boolean>;
  /** Records one update of `slot` (its step already counts this update). */
  protected abstract update(slot: ParamSlot, grad: GpuBuffer, scale: GradScaleOptions): void;

  constructor(params: ParamSource | readonly ParamGroupSpec[], opts: OptimizerOptions) {
    if (!(Number.isFinite(opts.lr) && opts.lr >= 0)) throw new Error(`optimizer: lr must be a finite number >= 0, got ${opts.lr}`);
    this.lr = opts.lr;
    this.schedule = opts.schedule ? validateSchedule(opts.schedule) : null;
    this.maxGradNorm = opts.maxGradNorm ?? null;
    if (this.maxGradNorm !== null && !(this.maxGradNorm > 0)) throw new Error(`optimizer: maxGradNorm must be positive, got ${this.maxGradNorm}`);
    const specs: readonly ParamGroupSpec[] = isGroupList(params) ? params : [{ params }];
    const seenNames = new Set<string>();
    const seenTensors = new Set<Tensor>();
    for (const spec of specs) {
      const named = namedParams(spec.params, this.slots.length);
      const lr = spec.lr ?? opts.lr;
      const weightDecay = spec.weightDecay ?? opts.weightDecay ?? 0;
      if (!(Number.isFinite(lr) && lr >= 0 && Number.isFinite(weightDecay) && weightDecay >= 0)) {
        throw new Error(`optimizer: group lr ${lr} and weightDecay ${weightDecay} must be finite and >= 0`);
      }
      const group: ParamGroup = {
        names: named.map(([n]) => n),
        params: named.map(([, t]) => t),
        lr,
        lrScale: opts.lr > 0 ? lr / opts.lr : 1,
        weightDecay,
      };
      for (const [name, t] of named) {
        if (seenNames.has(name)) throw new Error(`optimizer: parameter name '${name}' appears twice`);
        if (seenTensors.has(t)) throw new Error(`optimizer: parameter '${name}' is in two groups`);
        if (t.dtype !== 'f32') throw new Error(`optimizer: parameter '${name}' is ${t.dtype}, not f32`);
        seenNames.add(name);
        seenTensors.add(t);
        this.slots.push({ name, param: t, group, step: 0, state: new Map() });
      }
      this.groups.push(group);
    }
    if (this.slots.length === 0) throw new Error('optimizer: no parameters');
    this.gpu = this.slots[0].param.gpu;
  }

  /** Sets every group's rate to lr times its lrScale (what a schedule does before each step). */
  setLr(lr: number): void {
    if (!(Number.isFinite(lr) && lr >= 0)) throw new Error(`optimizer: lr must be a finite number >= 0, got ${lr}`);
    this.lr = lr;
    for (const g of this.groups) g.lr = lr * g.lrScale;
  }

  /** The rate the next step will use for the optimizer's own lr (the schedule's, when set). */
  nextLr(): number {
    return this.schedule ? lrAt(this.schedule, this.stepCount) : this.lr;
  }

  /**
   * Records one update of every parameter that has a gradient (optionally clipped by the
   * total norm, on the GPU). Parameters without a gradient are skipped: their state and
   * their own step count are untouched, as in PyTorch.
   */
  step(opts: StepOptions = {}): StepResult {
    if (this.schedule) this.setLr(lrAt(this.schedule, this.stepCount));
    const gradScale = opts.gradScale ?? 1;
    if (!Number.isFinite(gradScale)) throw new Error(`optimizer: gradScale must be finite, got ${gradScale}`);
    const active = this.slots.filter((s) => s.param.grad !== null);
    for (const s of active) {
      const g = s.param.grad!;
      if (g.size !== s.param.size || g.isDisposed) throw new Error(`optimizer: gradient of '${s.name}' is ${g.describe()}, parameter is ${s.param.describe()}`);
    }
    const scale: GradScaleOptions = { gradScale };
    let gradNorm: GradNorm | null = null;
    const maxNorm = opts.maxGradNorm ?? this.maxGradNorm;
    if (maxNorm !== null) {
      this.normBuf ??= this.gpu.alloc(8, 'grad norm');
      // The norm of g * gradScale is |gradScale| times that of g: clip against maxNorm / |gradScale|.
      const s = Math.abs(gradScale) > 0 ? Math.abs(gradScale) : 1;
      recordGradNorm(this.gpu, active.map((a) => a.param.grad!), maxNorm / s, this.normBuf);
      scale.gradScaleBuffer = this.normBuf;
      scale.gradScaleIndex = 1;
      gradNorm = new GradNorm(this.normBuf, this.stepCount, () => this.stepCount, s);
    }
    for (const slot of active) {
      if (slot.state.size === 0) {
        for (const k of this.stateKeys()) slot.state.set(k, this.gpu.zeros(slot.param.size * 4, `${this.kind} ${k} ${slot.name}`));
      }
      slot.step++;
      this.update(slot, slot.param.grad!.buffer, scale);
    }
    const step = this.stepCount++;
    return { step, lr: this.groups[0].lr, gradNorm, updated: active.length, skipped: this.slots.length - active.length };
  }

  /** Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const s of this.slots) {
      s.param.grad?.dispose();
      s.param.grad = null;
    }
  }

  /** The state as host tensors plus JSON (reads the GPU: for checkpoints, not per step). */
  async stateDict(): Promise<OptimizerState> {
    const tensors: TensorMap = new Map();
    const steps: Record<string, number> = {};
    for (const s of this.slots) {
      if (s.step === 0 && s.state.size === 0) continue;
      steps[s.name] = s.step;
      for (const [k, buf] of s.state) {
        const data = new Float32Array(await this.gpu.read(buf, 0, s.param.size * 4));
        tensors.set(`${OPTIM_PREFIX}${k}.${s.name}`, { dtype: 'F32', shape: [...s.param.shape], data });
      }
    }
    return {
      tensors,
      meta: {
        kind: this.kind,
        hyper: this.hyper(),
        stepCount: this.stepCount,
        lr: this.lr,
        schedule: this.schedule,
        maxGradNorm: this.maxGradNorm,
        groups: this.groups.map((g) => ({ lr: g.lr, lrScale: g.lrScale, weightDecay: g.weightDecay, params: [...g.names] })),
        steps,
      },
    };
  }

  /**
   * Restores a state from stateDict(): the same kind, hyper-parameters and groups (same
   * parameter names in the same groups) are required; group rates and weight decays, the
   * schedule, the clip norm, the step counts and every state buffer are taken from `state`
   * (as torch's load_state_dict). Parameters absent from it start fresh.
   */
  loadStateDict(state: OptimizerState): void {
    this.checkStateDict(state);
    const m = state.meta;
    const where = 'optimizer.loadStateDict';
    m.groups.forEach((g, i) => {
      this.groups[i].lr = g.lr;
      this.groups[i].weightDecay = g.weightDecay;
    });
    this.schedule = m.schedule ? parseSchedule(m.schedule) : null;
    this.maxGradNorm = m.maxGradNorm;
    this.stepCount = m.stepCount;
    this.lr = m.lr;
    for (const s of this.slots) {
      s.step = m.steps[s.name] ?? 0;
      if (s.step === 0) {
        this.freeState(s);
        continue;
      }
      for (const k of this.stateKeys()) {
        const t = state.tensors.get(`${OPTIM_PREFIX}${k}.${s.name}`);
        if (t?.dtype !== 'F32') throw new Error(`${where}: '${k}.${s.name}' is not F32`); // checked above; narrows the type
        let buf = s.state.get(k);
        if (!buf) {
          buf = this.gpu.alloc(s.param.size * 4, `${this.kind} ${k} ${s.name}`);
          s.state.set(k, buf);
        }
        this.gpu.write(buf, t.data);
      }
    }
  }

  /** Throws (naming the first problem) unless loadStateDict(state) would succeed; changes nothing. */
  checkStateDict(state: OptimizerState): void {
    const m = state.meta;
    const where = 'optimizer.loadStateDict';
    if (typeof m !== 'object' || m === null || !Array.isArray(m.groups) || typeof m.steps !== 'object' || typeof m.hyper !== 'object') {
      throw new Error(`${where}: malformed optimizer metadata`);
    }
    if (!Number.isSafeInteger(m.stepCount) || m.stepCount < 0) throw new Error(`${where}: bad stepCount ${m.stepCount}`);
    if (!(Number.isFinite(m.lr) && m.lr >= 0)) throw new Error(`${where}: bad lr ${m.lr}`);
    if (m.maxGradNorm !== null && !(m.maxGradNorm > 0)) throw new Error(`${where}: bad maxGradNorm ${m.maxGradNorm}`);
    if (m.schedule) parseSchedule(m.schedule);
    if (m.kind !== this.kind) throw new Error(`${where}: the state is ${m.kind}, this optimizer is ${this.kind}`);
    const mine = this.hyper();
    for (const k of new Set([...Object.keys(mine), ...Object.keys(m.hyper)])) {
      if (mine[k] !== m.hyper[k]) throw new Error(`${where}: ${k} is ${String(m.hyper[k])} in the state, ${String(mine[k])} here`);
    }
    if (m.groups.length !== this.groups.length) throw new Error(`${where}: ${m.groups.length} groups in the state, ${this.groups.length} here`);
    m.groups.forEach((g, i) => {
      const names = this.groups[i].names;
      if (g.params.length !== names.length || g.params.some((n, j) => n !== names[j])) {
        throw new Error(`${where}: group ${i} holds other parameters (${describeDiff(g.params, names)})`);
      }
    });
    const expected = new Set<string>();
    for (const s of this.slots) {
      const step = m.steps[s.name] ?? 0;
      if (!Number.isSafeInteger(step) || step < 0) throw new Error(`${where}: bad step ${step} for '${s.name}'`);
      if (step === 0) continue;
      for (const k of this.stateKeys()) {
        const key = `${OPTIM_PREFIX}${k}.${s.name}`;
        expected.add(key);
        const t = state.tensors.get(key);
        if (!t) throw new Error(`${where}: '${key}' is missing`);
        if (t.dtype !== 'F32' || t.shape.join(',') !== s.param.shape.join(',')) {
          throw new Error(`${where}: '${key}' is ${t.dtype}[${t.shape}], expected F32[${s.param.shape}]`);
        }
      }
    }
    const extra = [...state.tensors.keys()].filter((k) => !expected.has(k));
    if (extra.length) throw new Error(`${where}: unexpected state tensors ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''}`);
  }

  private freeState(s: ParamSlot): void {
    for (const b of s.state.values()) b.release();
    s.state.clear();
  }

  /** Frees the state buffers (the parameters stay the caller's). */
  dispose(): void {
    for (const s of this.slots) this.freeState(s);
    this.normBuf?.release();
    this.normBuf = null;
  }
}

function describeDiff(a: readonly string[], b: readonly string[]): string {
  const onlyA = a.filter((n) => !b.includes(n));
  const onlyB = b.filter((n) => !a.includes(n));
  return `only in the state: ${onlyA.slice(0, 3).join(', ') || '-'}; only here: ${onlyB.slice(0, 3).join(', ') || '-'}${onlyA.length + onlyB.length === 0 ? '; different order' : ''}`;
}
