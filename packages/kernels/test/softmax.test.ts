import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, softmax, softmaxBackward, softmaxRef, softmaxBackwardRef, testing, type Gpu, type GpuBuffer } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const release = (...bs: GpuBuffer[]): void => bs.forEach((b) => b.release());

/**
 * assertClose on the expected values that are finite in f32; the others (infinite, or beyond
 * the f32 range such as log-softmax -6e38) must be the same infinity.
 */
function assertCloseInf(got: Float32Array, want: Float64Array, opts: testing.CloseOptions): void {
  want.forEach((w, i) => {
    if (!Number.isFinite(Math.fround(w)) && got[i] !== Math.fround(w)) throw new Error(`${opts.label}: [${i}] got ${got[i]}, expected ${w}`);
  });
  const finite = Array.from(want.keys()).filter((i) => Number.isFinite(Math.fround(want[i])));
  testing.assertClose(finite.map((i) => got[i]), finite.map((i) => want[i]), opts);
}

/** Forward + backward on GPU vs the float64 references (backward reference from the GPU's y). */
async function check(x: Float32Array, shape: number[], log: boolean, tol = { atol: 1e-6, rtol: 1e-5 }): Promise<void> {
  const cols = shape[shape.length - 1];
  const rows = x.length / cols;
  const xb = gpu.upload(x, 'x');
  const y = softmax(gpu, xb, shape, { log });
  const got = await gpu.readF32(y);
  assertCloseInf(got, softmaxRef(x, rows, cols, log), { ...tol, label: log ? 'log_softmax' : 'softmax' });
  const dy = testing.randNormal(x.length, 77);
  const dyb = gpu.upload(dy, 'dy');
  const dx = softmaxBackward(gpu, y, dyb, shape, { log });
  assertCloseInf(await gpu.readF32(dx), softmaxBackwardRef(got, dy, rows, cols, log), { atol: 2e-6, rtol: 1e-4, label: 'dx' });
  release(xb, y, dyb, dx);
}

const NEG = -Infinity;

describe('softmax / log-softmax', () => {
  for (const log of [false, true]) {
    const name = log ? 'log_softmax' : 'softmax';
    describe(name, () => {
      for (const shape of [[1, 1000], [4, 7, 768], [3, 5, 7], [2, 33], [4, 1], [5, 257], [2, 200], [2100, 100]]) {
        it(`[${shape.join(',')}]`, () => check(testing.randNormal(shape.reduce((a, b) => a * b, 1), 3, 4), shape, log));
      }

      it('-inf entries, fully masked rows, huge magnitudes', async () => {
        const rows = [
          [0.5, NEG, 1.5, NEG, -2, 0.25, NEG], // masked entries get probability 0
          [NEG, NEG, NEG, NEG, NEG, NEG, NEG], // fully masked: zeros (log: -inf), not NaN
          [3e38, -3e38, 1e30, 0, -1e30, 3e38, 1], // two equal maxima near FLT_MAX take 1/2 each
          [88.7, 89.5, -88, 90, 100, 0, -100], // exp(x) alone would overflow
          [1e-30, -1e-30, 0, 0, 1e-45, 0, 0], // nearly uniform
          [NEG, NEG, NEG, -1e30, NEG, NEG, NEG], // one finite entry: probability 1
        ];
        await check(Float32Array.from(rows.flat()), [rows.length, 7], log);
      });

      it('more than 65535 rows (2-D workgroup grid)', () => check(testing.randNormal((65535 + 70) * 5, 4), [65535 + 70, 5], log));

      it('float64 reference backward agrees with finite differences', () => {
        const cols = 6;
        const x = Array.from(testing.randNormal(2 * cols, 5));
        const w = Array.from(testing.randNormal(2 * cols, 6));
        const loss = (xs: number[]): number => softmaxRef(xs, 2, cols, log).reduce((a, v, i) => a + v * w[i], 0);
        const y = softmaxRef(x, 2, cols, log);
        const h = 1e-6;
        const num = x.map((_, i) => (loss(x.map((v, j) => (j === i ? v + h : v))) - loss(x.map((v, j) => (j === i ? v - h : v)))) / (2 * h));
        testing.assertClose(softmaxBackwardRef(y, w, 2, cols, log), num, { atol: 1e-7, rtol: 1e-5, label: 'ref dx' });
      });
    });
  }

  it('rejects an output that aliases an input', () => {
    const xb = gpu.alloc(8 * 4, 'x');
    expect(() => softmax(gpu, xb, [2, 4], { out: xb })).toThrow(/same buffer/);
    expect(() => softmaxBackward(gpu, xb, xb, [2, 4])).toThrow(/same buffer/);
    xb.release();
  });

  it('+inf in a row gives NaN, as in PyTorch', async () => {
    const x = Float32Array.from([1, 2, Infinity, 3]);
    const xb = gpu.upload(x);
    const y = softmax(gpu, xb, [1, 4]);
    expect(Array.from(await gpu.readF32(y)).some(Number.isNaN)).toBe(true);
    release(xb, y);
  });
});
