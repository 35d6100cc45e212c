import { describe, it, beforeAll, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { getGpu, type Gpu, testing } from '@exif-lang/kernels';
import { readSafetensors, tensor, type Tensor, type RawTensor } from '../src/index.ts';
import { Adam, AdamW, SGD, weightDecayGroups, type Optimizer, type ParamGroupSpec, type ScheduleSpec } from '../src/optim/index.ts';

// Reference values from torch.optim 1.13 (scripts/optim/make_optim_fixture.py).
const FIXTURE = fileURLToPath(new URL('./fixtures/optim/torch-optim.safetensors', import.meta.url));

interface CaseMeta {
  kind: 'adam' | 'adamw' | 'sgd';
  opts: { betas?: [number, number]; eps?: number; momentum?: number; dampening?: number; nesterov?: boolean };
  groups: { params: string[]; weight_decay: number; scale: number }[];
  schedule: ScheduleSpec;
  clip?: number;
  lrs: number[];
  steps: Record<string, number>;
}

let gpu: Gpu;
let fx: Map<string, RawTensor>;
let cases: Record<string, CaseMeta>;
let steps: number;
let names: string[];

beforeAll(async () => {
  gpu = await getGpu();
  const f = readSafetensors(FIXTURE);
  fx = f.tensors;
  cases = JSON.parse(f.metadata.cases) as Record<string, CaseMeta>;
  steps = Number(f.metadata.steps);
  names = Object.keys(JSON.parse(f.metadata.shapes) as Record<string, number[]>);
});

function f32(name: string): Float32Array {
  const t = fx.get(name);
  if (!t || t.dtype !== 'F32') throw new Error(`fixture lacks F32 tensor ${name}`);
  return t.data;
}

function build(meta: CaseMeta, params: Map<string, Tensor>): Optimizer {
  const groups: ParamGroupSpec[] = meta.groups.map((g) => ({
    params: g.params.map((n): [string, Tensor] => [n, params.get(n)!]),
    weightDecay: g.weight_decay,
    lr: meta.schedule.lr * g.scale,
  }));
  const common = { lr: meta.schedule.lr, schedule: meta.schedule, maxGradNorm: meta.clip };
  if (meta.kind === 'sgd') return new SGD(groups, { ...common, ...meta.opts });
  const adam = { ...common, betas: meta.opts.betas, eps: meta.opts.eps };
  return meta.kind === 'adam' ? new Adam(groups, adam) : new AdamW(groups, adam);
}

describe('optimizers match torch.optim step by step', () => {
  for (const name of ['adam_paper', 'adamw', 'adam_clip', 'sgd_momentum', 'sgd_nesterov', 'sgd_plain']) {
    it(name, async () => {
      const meta = cases[name];
      const params = new Map(names.map((n) => [n, tensor(gpu, f32(`init.${n}`), fx.get(`init.${n}`)!.shape)]));
      const opt = build(meta, params);
      const norms: number[] = [];
      for (let s = 0; s < steps; s++) {
        opt.zeroGrad();
        for (const [n, p] of params) p.grad = fx.has(`grad.${s}.${n}`) ? tensor(gpu, f32(`grad.${s}.${n}`), p.shape) : null;
        expect(opt.nextLr()).toBeCloseTo(meta.lrs[s], 12);
        const before = gpu.stats();
        const r = opt.step();
        const after = gpu.stats();
        // Recorded only: nothing read back, nothing uploaded (after the kernels' one-time constant 1).
        expect(after.readbacks - before.readbacks).toBe(0);
        if (s > 0) expect(after.uploads - before.uploads).toBe(0);
        expect(r.step).toBe(s);
        expect(r.skipped).toBe(s === 1 ? 1 : 0);
        expect(r.lr).toBeCloseTo(meta.lrs[s] * meta.groups[0].scale, 12);
        if (meta.clip !== undefined) {
          const g = await r.gradNorm!.read();
          norms.push(g.norm);
          expect(g.coef).toBeCloseTo(Math.min(1, meta.clip / (g.norm + 1e-6)), 6);
        } else expect(r.gradNorm).toBeNull();
        for (const [n, p] of params) {
          testing.assertClose(await p.data(), f32(`after.${name}.${s}.${n}`), { atol: 1e-6, rtol: 2e-6, label: `${name} step ${s} ${n}` });
        }
      }
      if (meta.clip !== undefined) testing.assertClose(norms, f32(`norm.${name}`), { atol: 0, rtol: 1e-5, label: 'grad norms' });
      const st = await opt.stateDict();
      expect(st.meta.steps).toEqual(meta.steps);
      const keys = meta.kind === 'sgd' ? (meta.opts.momentum ? ['momentum'] : []) : ['m', 'v'];
      expect([...st.tensors.keys()].sort()).toEqual(keys.flatMap((k) => names.map((n) => `optim.${k}.${n}`)).sort());
      for (const [k, t] of st.tensors) {
        const [, key, p] = k.split('.');
        testing.assertClose(t.data as Float32Array, f32(`state.${name}.${key}.${p}`), { atol: 1e-7, rtol: 2e-6, label: k });
      }
      opt.zeroGrad();
      opt.dispose();
      for (const p of params.values()) p.dispose();
    });
  }
});

describe('optimizer API', () => {
  it('weightDecayGroups: norms, biases and scalars get no decay; names come from the module', async () => {
    const { TinyMlp } = await import('./optim-mlp.ts');
    const m = new TinyMlp(gpu, { in: 4, hidden: 6, out: 2 }, 1);
    const groups = weightDecayGroups(m, 0.1);
    const names = (g: ParamGroupSpec) => [...(g.params as Iterable<[string, Tensor]>)].map(([n]) => n);
    expect(groups.map((g) => g.weightDecay)).toEqual([0.1, 0]);
    expect(names(groups[0])).toEqual(['fc1.weight', 'fc2.weight']);
    expect(names(groups[1])).toEqual(['ln_weight', 'ln_bias', 'scale', 'aux', 'fc1.bias', 'fc2.bias']); // own parameters first, as PyTorch
    const custom = weightDecayGroups(m, 0.1, { exclude: (n) => n.startsWith('fc2') });
    expect(names(custom[1])).toEqual(['fc2.weight', 'fc2.bias']);
    const opt = new AdamW(groups, { lr: 1e-3 });
    expect(opt.groups.map((g) => [g.weightDecay, g.names.length])).toEqual([[0.1, 2], [0, 6]]);
    opt.dispose();
    m.dispose();
  });

  it('rejects duplicate parameters, bad hyper-parameters, empty lists', () => {
    const a = tensor(gpu, [1, 2, 3], [3]);
    const b = tensor(gpu, [4, 5], [2]);
    expect(() => new SGD([{ params: [a] }, { params: [a] }], { lr: 1 })).toThrow(/in two groups/);
    expect(() => new SGD([['x', a], ['x', b]], { lr: 1 })).toThrow(/name 'x' appears twice/);
    expect(() => new SGD([], { lr: 1 })).toThrow(/no parameters/);
    expect(() => new SGD([a], { lr: -1 })).toThrow(/lr must be/);
    expect(() => new SGD([a], { lr: 1, nesterov: true })).toThrow(/nesterov needs momentum/);
    expect(() => new Adam([a], { lr: 1, betas: [0.9, 1] })).toThrow(/betas/);
    expect(() => new Adam([a], { lr: 1, maxGradNorm: 0 })).toThrow(/maxGradNorm/);
    expect(() => new Adam([a], { lr: 1, schedule: { kind: 'cosine', lr: 1, totalSteps: 1, warmupSteps: 2 } })).toThrow(/totalSteps/);
    // Bare tensors are named p0, p1, ... across groups.
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 2 });
    expect(opt.slots.map((s) => s.name)).toEqual(['p0', 'p1']);
    opt.setLr(4);
    expect(opt.groups.map((g) => g.lr)).toEqual([4, 1]); // groups keep their ratio to the base rate
    expect(opt.nextLr()).toBe(4);
    opt.dispose();
    const frozen = new SGD([{ params: [a], lr: 0 }, { params: [b] }], { lr: 2 });
    expect([frozen.nextLr(), frozen.groups[0].lr]).toEqual([2, 0]);
    frozen.dispose();
    a.dispose();
    b.dispose();
  });

  it('gradScale multiplies the gradient; clipping sees the scaled gradient; stale norms refuse to read', async () => {
    const init = [0.5, -1, 2, 0.25];
    const g = [3, -4, 0, 12]; // |g| = 13
    const run = async (gradScale: number, maxGradNorm?: number) => {
      const p = tensor(gpu, init, [4]);
      p.grad = tensor(gpu, g, [4]);
      const opt = new SGD([p], { lr: 0.1, maxGradNorm });
      const r = opt.step({ gradScale });
      const norm = r.gradNorm ? await r.gradNorm.read() : null;
      const out = Array.from(await p.data());
      opt.zeroGrad();
      opt.dispose();
      p.dispose();
      return { out, norm };
    };
    const half = await run(0.5);
    testing.assertClose(half.out, init.map((w, i) => w - 0.1 * 0.5 * g[i]), { atol: 1e-7, rtol: 1e-6 });
    const clipped = await run(0.5, 1); // norm of 0.5 g is 6.5 -> coef 1 / 6.5
    expect(clipped.norm!.norm).toBeCloseTo(6.5, 5);
    expect(clipped.norm!.coef).toBeCloseTo(1 / 6.5, 6);
    testing.assertClose(clipped.out, init.map((w, i) => w - (0.1 * 0.5 * g[i]) / 6.5), { atol: 1e-6, rtol: 1e-5 });
    const unclipped = await run(1, Infinity); // norm only
    expect(unclipped.norm).toEqual({ norm: 13, coef: 1 });

    const p = tensor(gpu, init, [4]);
    const opt = new Adam([p], { lr: 0.1, maxGradNorm: 100 });
    p.grad = tensor(gpu, g, [4]);
    const first = opt.step();
    opt.step();
    await expect(first.gradNorm!.read()).rejects.toThrow(/overwritten by a later step/);
    opt.zeroGrad();
    const none = opt.step(); // no gradients at all: nothing updated
    expect([none.updated, none.skipped]).toEqual([0, 1]);
    expect((await none.gradNorm!.read()).norm).toBe(0);
    opt.dispose();
    p.dispose();
  });

  it('stateDict / loadStateDict round trip; mismatches throw before anything changes', async () => {
    const mk = () => [tensor(gpu, [1, 2, 3], [3]), tensor(gpu, [1, -1], [1, 2])];
    const ps = mk();
    const opt = new Adam(ps, { lr: 0.01, betas: [0.9, 0.98], schedule: { kind: 'constant', lr: 0.01, warmupSteps: 3 } });
    for (let s = 0; s < 2; s++) {
      ps[0].grad = tensor(gpu, [0.1, 0.2, 0.3], [3]);
      if (s === 0) ps[1].grad = tensor(gpu, [1, 2], [1, 2]);
      opt.step();
      opt.zeroGrad();
    }
    const st = await opt.stateDict();
    expect(st.meta.steps).toEqual({ p0: 2, p1: 1 });
    expect(st.meta.stepCount).toBe(2);
    const qs = mk();
    const other = new Adam(qs, { lr: 5, betas: [0.9, 0.98] });
    other.loadStateDict(st);
    expect(other.stepCount).toBe(2);
    expect(other.schedule).toEqual(opt.schedule);
    expect(other.nextLr()).toBe(0.01);
    const again = await other.stateDict();
    expect(again.meta).toEqual(st.meta);
    for (const [k, t] of st.tensors) expect(Array.from(again.tensors.get(k)!.data as Float32Array)).toEqual(Array.from(t.data as Float32Array));

    const wrongBetas = new Adam(mk(), { lr: 1 });
    expect(() => wrongBetas.loadStateDict(st)).toThrow(/beta2 is 0.98 in the state, 0.999 here/);
    const missing = { tensors: new Map([...st.tensors].filter(([k]) => k !== 'optim.v.p1')), meta: st.meta };
    expect(() => other.loadStateDict(missing)).toThrow(/'optim.v.p1' is missing/);
    const extra = { tensors: new Map([...st.tensors, ['optim.m.zz', st.tensors.get('optim.m.p0')!]]), meta: st.meta };
    expect(() => other.loadStateDict(extra)).toThrow(/unexpected state tensors optim.m.zz/);
    expect(other.stepCount).toBe(2);
    for (const o of [opt, other, wrongBetas]) o.dispose();
  });
});
