import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, layerNorm, layerNormBackward, layerNormRef, layerNormBackwardRef, ShapeError, testing, type Gpu, type GpuBuffer } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const release = (...bs: GpuBuffer[]): void => bs.forEach((b) => b.release());

/** x = N(0, 1) + a per-row offset (rows differ in mean and scale). */
function input(rows: number, cols: number, seed: number): Float32Array {
  const x = testing.randNormal(rows * cols, seed);
  for (let i = 0; i < x.length; i++) {
    const r = Math.floor(i / cols);
    x[i] = x[i] * (0.5 + (r % 3)) + (r % 5) - 2;
  }
  return x;
}

function affine(cols: number, seed: number): { gamma: Float32Array; beta: Float32Array } {
  return { gamma: testing.randUniform(cols, seed, 0.5, 1.5), beta: testing.randUniform(cols, seed + 1, -0.5, 0.5) };
}

const cases: Array<{ name: string; shape: number[]; eps: number }> = [
  { name: 'one row of 768 (DistilBERT eps 1e-12)', shape: [1, 768], eps: 1e-12 },
  { name: 'B x T x 768 with T odd', shape: [3, 13, 768], eps: 1e-12 },
  { name: 'C = 1000', shape: [9, 1000], eps: 1e-5 },
  { name: 'narrow rows, C = 7 (not a multiple of 4 or the workgroup)', shape: [3, 5, 7], eps: 1e-5 },
  { name: 'C = 300 (128 threads per row take one to three columns)', shape: [5, 300], eps: 1e-5 },
  { name: 'C = 250 (64 threads per row)', shape: [3, 250], eps: 1e-5 },
  { name: 'C = 1: y = beta, dx = 0', shape: [4, 1], eps: 1e-5 },
];

describe('layernorm', () => {
  for (const tc of cases) {
    it(tc.name, async () => {
      const cols = tc.shape[tc.shape.length - 1];
      const rows = tc.shape.reduce((a, b) => a * b, 1) / cols;
      const x = input(rows, cols, 1);
      const { gamma, beta } = affine(cols, 2);
      const xb = gpu.upload(x, 'x');
      const gb = gpu.upload(gamma, 'gamma');
      const bb = gpu.upload(beta, 'beta');
      const { y, stats } = layerNorm(gpu, xb, tc.shape, { gamma: gb, beta: bb }, { eps: tc.eps });
      const want = layerNormRef(x, rows, cols, gamma, beta, tc.eps);
      const st = await gpu.readF32(stats);
      testing.assertClose(st.subarray(0, rows), want.mean, { atol: 1e-6, rtol: 1e-6, label: 'mean' });
      testing.assertClose(st.subarray(rows), want.invstd, { atol: 0, rtol: 2e-6, label: 'invstd' });
      testing.assertClose(await gpu.readF32(y), want.y, { atol: 1e-5, rtol: 1e-5, label: 'y' });

      const dy = testing.randNormal(rows * cols, 3);
      const dyb = gpu.upload(dy, 'dy');
      const g = layerNormBackward(gpu, dyb, xb, tc.shape, gb, stats);
      const wg = layerNormBackwardRef(dy, x, rows, cols, gamma, st.subarray(0, rows), st.subarray(rows));
      testing.assertClose(await gpu.readF32(g.dx), wg.dx, { atol: 2e-5, rtol: 1e-4, label: 'dx' });
      testing.assertClose(await gpu.readF32(g.dgamma), wg.dgamma, { atol: 1e-5, rtol: 1e-5, label: 'dgamma' });
      testing.assertClose(await gpu.readF32(g.dbeta), wg.dbeta, { atol: 1e-5, rtol: 1e-5, label: 'dbeta' });
      release(xb, gb, bb, y, stats, dyb, g.dx, g.dgamma, g.dbeta);
    });
  }

  it('many rows (32 threads per row, 8 columns each): dgamma/dbeta over 2x1030 rows, deterministic', async () => {
    const rows = 2060;
    const cols = 256;
    const x = input(rows, cols, 4);
    const { gamma, beta } = affine(cols, 5);
    const dy = testing.randNormal(rows * cols, 6);
    const xb = gpu.upload(x, 'x');
    const gb = gpu.upload(gamma, 'gamma');
    const bb = gpu.upload(beta, 'beta');
    const dyb = gpu.upload(dy, 'dy');
    const { y, stats } = layerNorm(gpu, xb, [2, 1030, cols], { gamma: gb, beta: bb }, { eps: 1e-12 });
    const g1 = layerNormBackward(gpu, dyb, xb, [2, 1030, cols], gb, stats);
    const g2 = layerNormBackward(gpu, dyb, xb, [2, 1030, cols], gb, stats);
    const st = await gpu.readF32(stats);
    const want = layerNormBackwardRef(dy, x, rows, cols, gamma, st.subarray(0, rows), st.subarray(rows));
    // Sums of 2060 O(1) terms.
    testing.assertClose(await gpu.readF32(g1.dgamma), want.dgamma, { atol: 5e-5, rtol: 1e-5, label: 'dgamma' });
    testing.assertClose(await gpu.readF32(g1.dbeta), want.dbeta, { atol: 5e-5, rtol: 1e-5, label: 'dbeta' });
    testing.assertClose(await gpu.readF32(g1.dx), want.dx, { atol: 2e-5, rtol: 1e-4, label: 'dx' });
    expect(Array.from(await gpu.readF32(g2.dgamma))).toEqual(Array.from(await gpu.readF32(g1.dgamma)));
    expect(Array.from(await gpu.readF32(g2.dx))).toEqual(Array.from(await gpu.readF32(g1.dx)));
    release(xb, gb, bb, dyb, y, stats, g1.dx, g1.dgamma, g1.dbeta, g2.dx, g2.dgamma, g2.dbeta);
  });

  it('more than 65535 rows (2-D workgroup grid)', async () => {
    const rows = 65535 + 70;
    const cols = 3;
    const x = input(rows, cols, 7);
    const { gamma, beta } = affine(cols, 8);
    const xb = gpu.upload(x, 'x');
    const gb = gpu.upload(gamma, 'gamma');
    const bb = gpu.upload(beta, 'beta');
    const { y, stats } = layerNorm(gpu, xb, [rows, cols], { gamma: gb, beta: bb });
    // Rows of 3 values can have a tiny variance, which amplifies the f32 rounding of x - mean.
    testing.assertClose(await gpu.readF32(y), layerNormRef(x, rows, cols, gamma, beta).y, { atol: 1e-4, rtol: 1e-5, label: 'y' });
    release(xb, gb, bb, y, stats);
  });

  it('float64 reference backward agrees with finite differences', () => {
    const rows = 3;
    const cols = 5;
    const x = Array.from(input(rows, cols, 9));
    const { gamma, beta } = affine(cols, 10);
    const w = Array.from(testing.randNormal(rows * cols, 11));
    const loss = (xs: number[], gs: ArrayLike<number>, bs: ArrayLike<number>): number =>
      layerNormRef(xs, rows, cols, gs, bs).y.reduce((a, v, i) => a + v * w[i], 0);
    const fwd = layerNormRef(x, rows, cols, gamma, beta);
    const want = layerNormBackwardRef(w, x, rows, cols, gamma, fwd.mean, fwd.invstd);
    const h = 1e-6;
    const diff = (f: (d: number) => number): number => (f(h) - f(-h)) / (2 * h);
    const bump = (a: ArrayLike<number>, i: number, d: number): number[] => Array.from(a, (v, j) => (j === i ? v + d : v));
    testing.assertClose(want.dx, x.map((_, i) => diff((d) => loss(bump(x, i, d), gamma, beta))), { atol: 1e-6, rtol: 1e-5, label: 'dx' });
    testing.assertClose(want.dgamma, Array.from(gamma, (_, i) => diff((d) => loss(x, bump(gamma, i, d), beta))), { atol: 1e-6, rtol: 1e-5, label: 'dgamma' });
    testing.assertClose(want.dbeta, Array.from(beta, (_, i) => diff((d) => loss(x, gamma, bump(beta, i, d)))), { atol: 1e-6, rtol: 1e-5, label: 'dbeta' });
  });

  it('rejects mismatched buffers', () => {
    const xb = gpu.alloc(10 * 4, 'x');
    const gb = gpu.alloc(4 * 4, 'gamma');
    expect(() => layerNorm(gpu, xb, [2, 5], { gamma: gb, beta: gb })).toThrow(ShapeError);
    expect(() => layerNorm(gpu, xb, [2, 0], { gamma: gb, beta: gb })).toThrow(/empty rows/);
    release(xb, gb);
  });
});
