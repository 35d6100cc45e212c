import { describe, it, beforeAll, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { getGpu, type Gpu, testing } from '@exif-lang/kernels';
import { readSafetensors, tensor, type Tensor, type RawTensor } from '../src/index.ts';
import { Adam, AdamW, SGD, type Optimizer, type ParamGroupSpec, type ScheduleSpec } from '../src/optim/index.ts';

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
