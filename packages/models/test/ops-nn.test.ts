import { describe, it, beforeAll } from 'vitest';
import { getGpu, type Gpu, testing } from '@exif-lang/kernels';
import { gradcheck, tensor, zeros, ones, ops, type Tensor } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const r = (n: number, seed: number, lo = -1, hi = 1) => testing.randUniform(n, seed, lo, hi);
const n = (s: number[]) => s.reduce((p, d) => p * d, 1);

describe('gradcheck: softmax', () => {
  it('softmax over rows of 7', async () => {
    await gradcheck(gpu, (x) => ops.softmax(x), [{ data: r(21, 1, -2, 2), shape: [3, 7] }]);
  });
  it('logSoftmax', async () => {
    await gradcheck(gpu, (x) => ops.logSoftmax(x), [{ data: r(21, 2, -2, 2), shape: [3, 7] }]);
  });
});

describe('gradcheck: normalisation', () => {
  it('layerNorm (x, gamma, beta), eps 1e-12', async () => {
    const C = 9;
    await gradcheck(gpu, (x, g, b) => ops.layerNorm(x, g, b, 1e-12), [
      { data: r(4 * C, 3, -2, 2), shape: [2, 2, C] },
      { data: r(C, 4, 0.5, 1.5), shape: [C] },
      { data: r(C, 5), shape: [C] },
    ], { rtol: 2e-2 });
  });

  for (const relu of [false, true]) {
    it(`batchNorm training${relu ? ' + fused relu' : ''}`, async () => {
      const C = 5;
      const rm = zeros(gpu, [C]);
      const rv = ones(gpu, [C]);
      await gradcheck(gpu, (x, g, b) => ops.batchNorm(x, { gamma: g, beta: b, runningMean: rm, runningVar: rv, training: true, relu }), [
        { data: r(2 * 3 * 2 * C, 6, -2, 2), shape: [2, 3, 2, C] },
        { data: r(C, 7, 0.5, 1.5), shape: [C] },
        { data: r(C, 8), shape: [C] },
      ], { eps: relu ? 2e-3 : 1e-2, rtol: 2e-2 });
      rm.dispose();
      rv.dispose();
    });
  }

  it('batchNorm eval (frozen statistics) + relu', async () => {
    const C = 4;
    const rm = tensor(gpu, r(C, 9), [C]);
    const rv = tensor(gpu, r(C, 10, 0.5, 2), [C]);
    await gradcheck(gpu, (x, g, b) => ops.batchNorm(x, { gamma: g, beta: b, runningMean: rm, runningVar: rv, training: false, relu: true }), [
      { data: r(3 * C, 11, -2, 2), shape: [3, C] },
      { data: r(C, 12, 0.5, 1.5), shape: [C] },
      { data: r(C, 13), shape: [C] },
    ], { eps: 2e-3 });
    rm.dispose();
    rv.dispose();
  });

  it('sumToShape', async () => {
    await gradcheck(gpu, (x) => ops.sumToShape(x, [3, 1]), [{ data: r(2 * 3 * 4, 14), shape: [2, 3, 4] }]);
  });
});

describe('gradcheck: pooling', () => {
  it('maxPool2d 3x3 stride 2 pad 1 (ResNet stem)', async () => {
    const shape = [2, 5, 6, 3];
    await gradcheck(gpu, (x) => ops.maxPool2d(x, { kernel: 3, stride: 2, padding: 1 }), [{ data: r(n(shape), 15), shape }], { eps: 1e-3 });
  });
  it('avgPool2d 2x2 and count_include_pad false', async () => {
    const shape = [1, 5, 5, 2];
    await gradcheck(gpu, (x) => ops.avgPool2d(x, { kernel: 2 }), [{ data: r(n(shape), 16), shape }]);
    await gradcheck(gpu, (x) => ops.avgPool2d(x, { kernel: 3, stride: 2, padding: 1, countIncludePad: false }), [{ data: r(n(shape), 17), shape }]);
  });
  it('globalAvgPool', async () => {
    const shape = [2, 3, 2, 5];
    await gradcheck(gpu, (x) => ops.globalAvgPool(x), [{ data: r(n(shape), 18), shape }]);
  });
});

describe('gradcheck: attention', () => {
  it('B=2 T=5 H=2 D=3 with padded keys', async () => {
    const shape = [2, 5, 2, 3];
    const mask = new Uint32Array([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    const m = tensor(gpu, mask, [2, 5], 'u32');
    const fn = (q: Tensor, k: Tensor, v: Tensor) => ops.attention(q, k, v, m);
    await gradcheck(gpu, fn, [
      { data: r(n(shape), 19), shape },
      { data: r(n(shape), 20), shape },
      { data: r(n(shape), 21), shape },
    ], { maxElements: 8 });
    m.dispose();
  });
});
