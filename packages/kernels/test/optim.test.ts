import { describe, it, beforeAll, expect } from 'vitest';
import {
  getGpu, adamStep, sgdStep, gradNorm, sumSquares, adamStepRef, sgdStepRef, gradNormRef, ShapeError,
  type Gpu, type AdamOptions, type SgdOptions, testing,
} from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const N = 1037; // odd, not a multiple of the workgroup size
const STEPS = 6;
/** gradients of step t: fresh values each step, some large, some tiny */
const gradAt = (t: number) => testing.randNormal(N, 100 + t, t % 2 ? 0.3 : 1e-3);

describe('Adam / AdamW against PyTorch formulas in float64', () => {
  const variants: [string, Omit<AdamOptions, 'step'>][] = [
    ['Adam defaults', { lr: 1e-3 }],
    ['Adam, paper hyperparameters (betas 0.9/0.98, eps 1e-6, L2 1e-4)', { lr: 1e-2, beta2: 0.98, eps: 1e-6, weightDecay: 1e-4 }],
    ['Adam, strong L2, grad scale 0.5', { lr: 5e-3, weightDecay: 0.1, gradScale: 0.5 }],
    // gradients ~1e-6: sqrt(v_hat) is comparable to eps, so where eps is added matters at O(1)
    ['Adam, tiny gradients where eps matters', { lr: 1e-2, eps: 1e-6, gradScale: 3e-6 }],
    ['AdamW default decay', { lr: 1e-2, decoupled: true }],
    ['AdamW decay 0.3', { lr: 3e-2, beta1: 0.8, weightDecay: 0.3, decoupled: true }],
  ];
  for (const [label, o] of variants) {
    it(`${label}: ${STEPS} steps`, async () => {
      const p0 = testing.randUniform(N, 1, -1, 1);
      const ref = { param: Float64Array.from(p0), m: new Float64Array(N), v: new Float64Array(N) };
      const pb = gpu.upload(p0);
      const mb = gpu.zeros(N * 4);
      const vb = gpu.zeros(N * 4);
      for (let t = 1; t <= STEPS; t++) {
        const g = gradAt(t);
        const gb = gpu.upload(g);
        adamStep(gpu, pb, gb, mb, vb, N, { ...o, step: t });
        adamStepRef(ref, g, { ...o, step: t });
        gb.release();
      }
      // f32 state vs float64. The moments are sums of terms of alternating sign (values ~1e-2,
      // terms up to ~(1 - beta1) * 0.3 * 3), so their error is set by the terms: a few f32 ulps
      // of 0.1 for m, of 1e-3 for v; the parameter moves by ~lr per step (|param| <= 1).
      testing.assertClose(await gpu.readF32(pb), ref.param, { atol: 2e-6, rtol: 2e-6, label: 'param' });
      testing.assertClose(await gpu.readF32(mb), ref.m, { atol: 5e-8, rtol: 2e-6, label: 'exp_avg' });
      testing.assertClose(await gpu.readF32(vb), ref.v, { atol: 1e-10, rtol: 4e-6, label: 'exp_avg_sq' });
      // and the parameters moved by much more than the tolerance (the test can fail)
      expect(Math.max(...Array.from(ref.param, (v, i) => Math.abs(v - p0[i])))).toBeGreaterThan(1e-3);
      for (const b of [pb, mb, vb]) b.release();
    });
  }

  it('the vec4 variant (length a multiple of 4) gives the bits of the scalar kernel', async () => {
    // Same values through n = 1036 (vec4) and n = 1037 (scalar); the first 1036 must agree exactly.
    const n4 = 1036;
    const p0 = testing.randUniform(N, 3, -1, 1);
    const runs: Float32Array[][] = [];
    for (const n of [n4, N]) {
      const pb = gpu.upload(p0.subarray(0, n));
      const mb = gpu.zeros(n * 4);
      const vb = gpu.zeros(n * 4);
      for (let t = 1; t <= 3; t++) {
        const gb = gpu.upload(gradAt(t).subarray(0, n));
        adamStep(gpu, pb, gb, mb, vb, n, { lr: 1e-2, step: t, weightDecay: 0.1 });
        gb.release();
      }
      runs.push([await gpu.readF32(pb), await gpu.readF32(mb), await gpu.readF32(vb)]);
      for (const b of [pb, mb, vb]) b.release();
    }
    for (let k = 0; k < 3; k++) expect(Array.from(runs[0][k])).toEqual(Array.from(runs[1][k].subarray(0, n4)));
    expect(Array.from(runs[0][0])).not.toEqual(Array.from(p0.subarray(0, n4), Math.fround)); // it moved
  });
});

describe('SGD against PyTorch formulas in float64', () => {
  const variants: [string, Omit<SgdOptions, 'step'>][] = [
    ['plain', { lr: 0.1 }],
    ['plain + weight decay', { lr: 0.1, weightDecay: 0.05 }],
    ['momentum 0.9', { lr: 0.05, momentum: 0.9 }],
    ['momentum, dampening 0.1, weight decay', { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }],
    ['nesterov', { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }],
  ];
  for (const [label, o] of variants) {
    it(`${label}: ${STEPS} steps`, async () => {
      const p0 = testing.randUniform(N, 2, -1, 1);
      const param = Float64Array.from(p0);
      const buf = new Float64Array(N);
      const pb = gpu.upload(p0);
      // garbage in the momentum buffer: step 1 must ignore it
      const bb = o.momentum ? gpu.upload(testing.randUniform(N, 9, -50, 50)) : null;
      for (let t = 1; t <= STEPS; t++) {
        const g = gradAt(t);
        const gb = gpu.upload(g);
        sgdStep(gpu, pb, gb, bb, N, { ...o, step: t });
        sgdStepRef(param, buf, g, { ...o, step: t });
        gb.release();
      }
      testing.assertClose(await gpu.readF32(pb), param, { atol: 1e-6, rtol: 1e-6, label: 'param' });
      if (bb) testing.assertClose(await gpu.readF32(bb), buf, { atol: 1e-7, rtol: 1e-6, label: 'momentum' });
      pb.release();
      bb?.release();
    });
  }
});

describe('gradient norm clipping on the GPU', () => {
  it('per-tensor sums of squares -> norm and clip coefficient -> Adam and SGD scaled without readback', async () => {
    const sizes = [N, 7, 300];
    const grads = sizes.map((n, k) => testing.randNormal(n, 60 + k, 0.5));
    const gbs = grads.map((g) => gpu.upload(g));
    const sq = gpu.alloc(4 * sizes.length);
    gbs.forEach((g, k) => sumSquares(gpu, g, sizes[k], { out: sq, outOffset: k }));
    const maxNorm = 2;
    const nc = gradNorm(gpu, sq, sizes.length, maxNorm);
    const want = gradNormRef(grads, maxNorm);
    expect(want.coef).toBeLessThan(1); // clipping is active
    const [norm, coef] = await gpu.readF32(nc);
    testing.assertClose([norm, coef], [want.norm, want.coef], { atol: 0, rtol: 1e-6 });

    // Adam on tensor 0 with the clip coefficient from the GPU, and an extra host factor
    const p0 = testing.randUniform(N, 3);
    const ref = { param: Float64Array.from(p0), m: new Float64Array(N), v: new Float64Array(N) };
    const pb = gpu.upload(p0);
    const mb = gpu.zeros(N * 4);
    const vb = gpu.zeros(N * 4);
    adamStep(gpu, pb, gbs[0], mb, vb, N, { lr: 1e-2, step: 1, gradScale: 0.25, gradScaleBuffer: nc, gradScaleIndex: 1 });
    adamStepRef(ref, grads[0], { lr: 1e-2, step: 1, gradScale: 0.25 * want.coef });
    testing.assertClose(await gpu.readF32(mb), ref.m, { atol: 5e-8, rtol: 3e-6, label: 'clipped exp_avg' });
    testing.assertClose(await gpu.readF32(pb), ref.param, { atol: 2e-6, rtol: 2e-6, label: 'clipped param' });

    const param = Float64Array.from(p0);
    const pb2 = gpu.upload(p0);
    sgdStep(gpu, pb2, gbs[0], null, N, { lr: 0.5, step: 1, gradScaleBuffer: nc, gradScaleIndex: 1 });
    sgdStepRef(param, new Float64Array(N), grads[0], { lr: 0.5, step: 1, gradScale: want.coef });
    testing.assertClose(await gpu.readF32(pb2), param, { atol: 1e-6, rtol: 1e-6, label: 'clipped sgd' });

    // no clipping when the norm is under the limit
    const nc2 = gradNorm(gpu, sq, sizes.length, Infinity);
    expect((await gpu.readF32(nc2))[1]).toBe(1);
    for (const b of [...gbs, sq, nc, nc2, pb, mb, vb, pb2]) b.release();
  });

  it('validates arguments', () => {
    const a = gpu.alloc(16);
    const b = gpu.alloc(16);
    expect(() => adamStep(gpu, a, a, b, b, 4, { lr: 1, step: 1 })).toThrow(/distinct/);
    expect(() => adamStep(gpu, a, b, gpu.alloc(16), gpu.alloc(16), 4, { lr: 1, step: 0 })).toThrow(ShapeError);
    expect(() => sgdStep(gpu, a, b, null, 4, { lr: 1, step: 1, momentum: 0.9 })).toThrow(/buffer/);
    expect(() => sgdStep(gpu, a, b, null, 8, { lr: 1, step: 1 })).toThrow(/holds 4/);
    a.release();
    b.release();
  });
});
