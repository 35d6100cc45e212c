import { describe, it, beforeAll, expect } from 'vitest';
import {
  getGpu,
  batchNormTrain,
  batchNormEval,
  batchNormBackward,
  batchNormTrainRef,
  batchNormEvalRef,
  batchNormBackwardRef,
  ShapeError,
  testing,
  type Gpu,
  type GpuBuffer,
  type BatchNormParams,
  type BatchNormRefState,
} from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function state(c: number, seed: number): BatchNormRefState {
  return {
    gamma: testing.randUniform(c, seed, 0.5, 1.5),
    beta: testing.randUniform(c, seed + 1, -0.5, 0.5),
    runningMean: testing.randUniform(c, seed + 2, -1, 1),
    runningVar: testing.randUniform(c, seed + 3, 0.5, 2),
  };
}

function upload(s: BatchNormRefState): BatchNormParams {
  const f = (a: ArrayLike<number>, l: string): GpuBuffer => gpu.upload(Float32Array.from(a), l);
  return { gamma: f(s.gamma, 'gamma'), beta: f(s.beta, 'beta'), runningMean: f(s.runningMean, 'running_mean'), runningVar: f(s.runningVar, 'running_var') };
}

const release = (...bs: GpuBuffer[]): void => bs.forEach((b) => b.release());

/** x = offset + scale * N(0, 1) per element, with a per-channel shift so channels differ. */
function input(shape: readonly number[], seed: number, offset = 0, scale = 1): Float32Array {
  const c = shape[shape.length - 1];
  return Float32Array.from(testing.randNormal(prod(shape), seed, scale), (v, i) => v + offset + 0.3 * (i % c));
}

async function checkTrain(shape: readonly number[], opts: { offset?: number; scale?: number; relu?: boolean; yTol?: number }): Promise<void> {
  const c = shape[shape.length - 1];
  const rows = prod(shape) / c;
  const s = state(c, 3);
  const x = input(shape, 9, opts.offset ?? 0, opts.scale ?? 1);
  const p = upload(s);
  const xb = gpu.upload(x, 'x');
  const { y, stats } = batchNormTrain(gpu, xb, shape, p, { relu: opts.relu });
  const want = batchNormTrainRef(x, rows, c, s, 1e-5, 0.1, opts.relu);
  const st = await gpu.readF32(stats);
  // The mean is within a couple of f32 ulps of the exact one (the summation is shifted), the
  // variance within a few 1e-7 relative even when mean >> std.
  testing.assertClose(st.subarray(0, c), want.mean, { atol: 1e-6, rtol: 1e-7, label: 'mean' });
  testing.assertClose(st.subarray(c), want.invstd, { atol: 0, rtol: 2e-6, label: 'invstd' });
  testing.assertClose(await gpu.readF32(p.runningMean), want.runningMean, { atol: 1e-6, rtol: 1e-7, label: 'running_mean' });
  testing.assertClose(await gpu.readF32(p.runningVar), want.runningVar, { atol: 1e-7, rtol: 2e-6, label: 'running_var' });
  testing.assertClose(await gpu.readF32(y), want.y, { atol: opts.yTol ?? 1e-5, rtol: 1e-5, label: 'y' });
  release(xb, y, stats, p.gamma, p.beta, p.runningMean, p.runningVar);
}

describe('batchnorm forward (training)', () => {
  it('NHWC 3x5x7x19 (C not a multiple of 4 or the tile)', () => checkTrain([3, 5, 7, 19], {}));
  it('two channel tiles (C = 70) over 47 row blocks with a partial last block', () => checkTrain([3000, 70], {}));
  it('fused ReLU', () => checkTrain([2, 3, 5, 11], { relu: true }));
  it('N*H*W = 2 (smallest allowed; unbiased variance divides by 1)', () => checkTrain([2, 1, 1, 5], {}));
  // y = (x - mean) * invstd amplifies the f32 rounding of mean ~100 (half an ulp, 3.8e-6) by
  // invstd ~100: 4e-4 is the floor for any f32 implementation that stores the mean.
  it('250k rows, mean 100 with std 0.01: shifted Welford keeps mean and variance', () =>
    checkTrain([2, 250, 500, 4], { offset: 100, scale: 0.01, yTol: 5e-4 }));

  it('N*H*W = 1 is rejected like PyTorch', () => {
    const p = upload(state(5, 1));
    const xb = gpu.alloc(5 * 4, 'x');
    expect(() => batchNormTrain(gpu, xb, [1, 1, 1, 5], p)).toThrow(ShapeError);
    expect(() => batchNormTrain(gpu, xb, [1, 1, 1, 5], p)).toThrow(/more than 1 value per channel/);
    expect(() => batchNormTrain(gpu, xb, [2, 1, 1, 5], p)).toThrow(/holds 5 elements, shape needs 10/);
    // Aliasing is caught before any of the op's dispatches is recorded.
    const x2 = gpu.alloc(10 * 4, 'x2');
    expect(() => batchNormTrain(gpu, x2, [2, 5], { ...p, runningVar: p.runningMean })).toThrow(/runningVar and runningMean are the same buffer/);
    expect(() => batchNormTrain(gpu, x2, [2, 5], p, { out: x2 })).toThrow(/same buffer/);
    expect(() => batchNormEval(gpu, xb, [1, 5], p, { out: xb })).toThrow(/same buffer/);
    x2.release();
    release(xb, p.gamma, p.beta, p.runningMean, p.runningVar);
  });

  it('momentum and eps are honoured; running stats accumulate over calls', async () => {
    const shape = [4, 3, 3, 6];
    const c = 6;
    const s = state(c, 4);
    const p = upload(s);
    const x1 = input(shape, 1);
    const x2 = input(shape, 2, 0.5, 2);
    const b1 = gpu.upload(x1);
    const b2 = gpu.upload(x2);
    const r1 = batchNormTrain(gpu, b1, shape, p, { momentum: 0.3, eps: 1e-3 });
    const r2 = batchNormTrain(gpu, b2, shape, p, { momentum: 0.3, eps: 1e-3 });
    const w1 = batchNormTrainRef(x1, 36, c, s, 1e-3, 0.3);
    const w2 = batchNormTrainRef(x2, 36, c, { ...s, runningMean: w1.runningMean, runningVar: w1.runningVar }, 1e-3, 0.3);
    testing.assertClose((await gpu.readF32(r2.stats)).subarray(c), w2.invstd, { atol: 0, rtol: 1e-5, label: 'invstd' });
    testing.assertClose(await gpu.readF32(p.runningMean), w2.runningMean, { atol: 1e-6, rtol: 1e-6, label: 'running_mean' });
    testing.assertClose(await gpu.readF32(p.runningVar), w2.runningVar, { atol: 1e-6, rtol: 1e-5, label: 'running_var' });
    release(b1, b2, r1.y, r1.stats, r2.y, r2.stats, p.gamma, p.beta, p.runningMean, p.runningVar);
  });
});

describe('batchnorm forward (inference)', () => {
  for (const relu of [false, true]) {
    it(`running statistics, rows = 1 allowed${relu ? ', fused ReLU' : ''}`, async () => {
      for (const shape of [[2, 3, 5, 13], [1, 1, 1, 7]]) {
        const c = shape[3];
        const s = state(c, 5);
        const p = upload(s);
        const x = input(shape, 6);
        const xb = gpu.upload(x);
        const y = batchNormEval(gpu, xb, shape, p, { relu, eps: 1e-4 });
        testing.assertClose(await gpu.readF32(y), batchNormEvalRef(x, prod(shape) / c, c, s, 1e-4, relu), { atol: 1e-5, rtol: 1e-5, label: 'y' });
        // Inference must not touch the running statistics.
        expect(Array.from(await gpu.readF32(p.runningVar))).toEqual(Array.from(Float32Array.from(s.runningVar)));
        release(xb, y, p.gamma, p.beta, p.runningMean, p.runningVar);
      }
    });
  }
});

describe('batchnorm backward', () => {
  it('float64 reference agrees with finite differences', () => {
    const rows = 5;
    const c = 3;
    const s = state(c, 7);
    const x = Array.from(input([rows, c], 8));
    const w = Array.from(testing.randNormal(rows * c, 9));
    for (const relu of [false, true]) {
      const loss = (xs: number[]): number => batchNormTrainRef(xs, rows, c, s, 1e-5, 0.1, relu).y.reduce((a, v, i) => a + v * w[i], 0);
      const fwd = batchNormTrainRef(x, rows, c, s, 1e-5, 0.1, relu);
      const { dx } = batchNormBackwardRef(w, x, rows, c, s.gamma, fwd.mean, fwd.invstd, relu ? fwd.y : undefined);
      const h = 1e-6;
      const num = x.map((_, i) => {
        const xp = x.slice();
        const xm = x.slice();
        xp[i] += h;
        xm[i] -= h;
        return (loss(xp) - loss(xm)) / (2 * h);
      });
      testing.assertClose(dx, num, { atol: 1e-6, rtol: 1e-5, label: `ref dx relu=${relu}` });
    }
  });

  for (const [name, shape, relu] of [
    ['NHWC 3x5x7x19', [3, 5, 7, 19], false],
    ['two channel tiles, many row blocks (3000x70)', [3000, 70], false],
    ['fused ReLU mask from the forward output', [2, 4, 5, 9], true],
    ['N*H*W = 2', [2, 1, 1, 3], false],
  ] as const) {
    it(name, async () => {
      const c = shape[shape.length - 1];
      const rows = prod(shape) / c;
      const s = state(c, 11);
      const p = upload(s);
      const x = input(shape, 12);
      const dy = testing.randNormal(prod(shape), 13);
      const xb = gpu.upload(x, 'x');
      const dyb = gpu.upload(dy, 'dy');
      const fwd = batchNormTrain(gpu, xb, shape, p, { relu });
      const st = await gpu.readF32(fwd.stats);
      const yf = await gpu.readF32(fwd.y);
      const g = batchNormBackward(gpu, dyb, xb, shape, p.gamma, fwd.stats, { reluOutput: relu ? fwd.y : undefined });
      // Reference from the GPU's own statistics and mask, so only the backward is compared.
      const want = batchNormBackwardRef(dy, x, rows, c, s.gamma, st.subarray(0, c), st.subarray(c), relu ? yf : undefined);
      // Sums of up to 3000 O(1) terms.
      const sumTol = 2e-6 * Math.sqrt(rows) * 10;
      testing.assertClose(await gpu.readF32(g.dbeta), want.dbeta, { atol: sumTol, rtol: 1e-5, label: 'dbeta' });
      testing.assertClose(await gpu.readF32(g.dgamma), want.dgamma, { atol: sumTol, rtol: 1e-5, label: 'dgamma' });
      testing.assertClose(await gpu.readF32(g.dx), want.dx, { atol: 2e-5, rtol: 1e-4, label: 'dx' });
      // Deterministic: the same inputs give bit-identical gradients.
      const again = batchNormBackward(gpu, dyb, xb, shape, p.gamma, fwd.stats, { reluOutput: relu ? fwd.y : undefined });
      expect(Array.from(await gpu.readF32(again.dgamma))).toEqual(Array.from(await gpu.readF32(g.dgamma)));
      expect(Array.from(await gpu.readF32(again.dx))).toEqual(Array.from(await gpu.readF32(g.dx)));
      release(xb, dyb, fwd.y, fwd.stats, g.dx, g.dgamma, g.dbeta, again.dx, again.dgamma, again.dbeta, p.gamma, p.beta, p.runningMean, p.runningVar);
    });
  }
});
