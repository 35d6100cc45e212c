import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, infoNce, infoNceRef, ShapeError, type Gpu, type GpuBuffer, testing } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

interface Case {
  N: number;
  D: number;
  scale: number;
  weight?: number;
  seed: number;
  /** Pass the scale through a GPU buffer holding log s instead of a number. */
  logBuffer?: boolean;
  /** Make image i and text i correlated, so that most pairs are retrieved (hits > 0). */
  aligned?: boolean;
}

/**
 * Tolerances. The loss is an average of O(log N + s) terms: f32 relative error ~1e-7 of
 * |logits| <= s, so 2e-5 relative (+1e-6 absolute) is tight even at s = 100. Gradients are
 * sums of N softmax-weighted terms; at s = 100 a relative error of 1e-7 in a logit moves a
 * probability by 1e-5 relative, so the gradient tolerance scales with s.
 */
async function runCase(c: Case): Promise<void> {
  const { N, D, scale, seed } = c;
  const weight = c.weight ?? 1;
  const img = testing.randNormal(N * D, seed);
  const txt = testing.randNormal(N * D, seed + 1);
  if (c.aligned) for (let i = 0; i < N * D; i++) txt[i] = 0.6 * txt[i] + img[i];
  const bufs: GpuBuffer[] = [gpu.upload(img, 'img'), gpu.upload(txt, 'txt')];
  if (c.logBuffer) bufs.push(gpu.upload(new Float32Array([Math.log(scale)]), 'log s'));
  const r = infoNce(gpu, bufs[0], bufs[1], { N, D }, { scale: c.logBuffer ? { buffer: bufs[2], log: true } : scale, weight });
  const [loss, dScale, dImg, dTxt] = await Promise.all([r.loss, r.dScale, r.dImg!, r.dTxt!].map((b) => gpu.readF32(b)));
  const correct = await gpu.readU32(r.correct);
  // The reference takes the f32 value the GPU sees.
  const s32 = c.logBuffer ? Math.exp(Math.fround(Math.log(scale))) : Math.fround(scale);
  const ref = infoNceRef(img, txt, N, D, s32, weight);
  const label = `N=${N} D=${D} s=${scale}`;
  testing.assertClose(loss, [ref.loss], { atol: 1e-6, rtol: 2e-5, label: `${label} loss` });
  const gtol = { atol: 2e-7 * scale * Math.abs(weight), rtol: 1e-4 };
  // d/d(log s) = s d/ds when the scale is held as log s.
  testing.assertClose(dScale, [c.logBuffer ? s32 * ref.dScale : ref.dScale], { atol: 1e-6, rtol: 1e-4, label: `${label} dScale` });
  testing.assertClose(dImg, ref.dImg, { ...gtol, label: `${label} dImg` });
  testing.assertClose(dTxt, ref.dTxt, { ...gtol, label: `${label} dTxt` });
  expect(Array.from(correct), `${label} hits`).toEqual([ref.correctI2T, ref.correctT2I]);
  for (const b of [...bufs, r.loss, r.dScale, r.correct, r.dImg!, r.dTxt!]) b.release();
}

describe('infonce reference', () => {
  it('analytic gradients match float64 central differences', () => {
    const N = 3;
    const D = 4;
    const img = Array.from(testing.randNormal(N * D, 21));
    const txt = Array.from(testing.randNormal(N * D, 22));
    const s = 2.5;
    const w = 0.7;
    const ref = infoNceRef(img, txt, N, D, s, w);
    const h = 1e-6;
    const num = (f: (e: number) => number) => (f(h) - f(-h)) / (2 * h);
    const dImg = img.map((_, i) => num((e) => infoNceRef(img.map((x, k) => (k === i ? x + e : x)), txt, N, D, s, w).loss));
    const dTxt = txt.map((_, i) => num((e) => infoNceRef(img, txt.map((x, k) => (k === i ? x + e : x)), N, D, s, w).loss));
    testing.assertClose(ref.dImg, dImg, { atol: 1e-9, rtol: 1e-6, label: 'ref dImg' });
    testing.assertClose(ref.dTxt, dTxt, { atol: 1e-9, rtol: 1e-6, label: 'ref dTxt' });
    testing.assertClose([ref.dScale], [num((e) => infoNceRef(img, txt, N, D, s + e, w).loss)], { atol: 1e-9, rtol: 1e-6, label: 'ref dScale' });
  });

  it('N=1: loss 0, zero gradients, one hit each way', () => {
    const ref = infoNceRef([1, 2, 3], [3, -1, 0.5], 1, 3, 100);
    expect(ref.loss).toBe(0);
    expect(ref.dScale).toBe(0);
    expect([ref.correctI2T, ref.correctT2I]).toEqual([1, 1]);
  });
});

describe('infonce vs float64', () => {
  it('N=1', async () => {
    await runCase({ N: 1, D: 6, scale: 100, seed: 1 });
  });

  it('N=5 D=3, s=1', async () => {
    await runCase({ N: 5, D: 3, scale: 1, seed: 2 });
  });

  it('N=33 D=17, s=100 (stable), loss weight 0.5', async () => {
    await runCase({ N: 33, D: 17, scale: 100, weight: 0.5, seed: 3, aligned: true });
  });

  it('N=33 D=17, learned scale held as log s in a GPU buffer', async () => {
    await runCase({ N: 33, D: 17, scale: 14.285714, seed: 4, logBuffer: true, aligned: true });
  });

  it('N=64 D=32, aligned pairs: accuracy counts', async () => {
    await runCase({ N: 64, D: 32, scale: 20, seed: 5, aligned: true });
  });

  // Narrow D keeps the float64 reference quick; D = 16 reuses the matmul pipelines of N=64 D=32
  // (compiling another variant costs seconds on lavapipe).
  it('N=1024 (the paper batch), s=100', async () => {
    await runCase({ N: 1024, D: 16, scale: 100, seed: 6, aligned: true });
  });
});

describe('infonce launcher', () => {
  it('grads: false returns loss, dScale and hits only', async () => {
    const N = 9;
    const D = 8;
    const img = testing.randNormal(N * D, 7);
    const txt = testing.randNormal(N * D, 8);
    const a = gpu.upload(img);
    const b = gpu.upload(txt);
    const r = infoNce(gpu, a, b, { N, D }, { scale: 10, grads: false });
    expect(r.dImg).toBeUndefined();
    const ref = infoNceRef(img, txt, N, D, 10);
    testing.assertClose(await gpu.readF32(r.loss), [ref.loss], { atol: 1e-6, rtol: 2e-5 });
    for (const x of [a, b, r.loss, r.dScale, r.correct]) x.release();
  });

  it('rejects bad shapes and scales before touching the GPU', () => {
    const b = gpu.alloc(4 * 10, 'small');
    expect(() => infoNce(gpu, b, b, { N: 4, D: 4 }, { scale: 100 })).toThrow(ShapeError);
    expect(() => infoNce(gpu, b, b, { N: 2, D: 4 }, { scale: -1 })).toThrow(/positive/);
    b.release();
  });
});
