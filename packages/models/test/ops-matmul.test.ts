import { describe, it, beforeAll } from 'vitest';
import { getGpu, type Gpu, testing, matmulRef } from '@exif-lang/kernels';
import { gradcheck, tensor, noGrad, scope, keep, ops } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const r = (n: number, seed: number) => testing.randUniform(n, seed);
const n = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

describe('matmul', () => {
  // [a shape, b shape, transA, transB]: odd sizes, every transpose, batched and broadcast.
  const cases: [number[], number[], boolean, boolean][] = [
    [[3, 5], [5, 7], false, false],
    [[5, 3], [5, 7], true, false],
    [[3, 5], [7, 5], false, true],
    [[5, 3], [7, 5], true, true],
    [[2, 3, 5], [2, 5, 4], false, false],
    [[2, 5, 3], [2, 4, 5], true, true],
    [[3, 5], [2, 5, 4], false, false],
    [[2, 3, 5], [4, 5], false, true],
    [[5, 3], [2, 5, 4], true, false],
  ];
  for (const [sa, sb, transA, transB] of cases) {
    it(`[${sa}]${transA ? 'T' : ''} x [${sb}]${transB ? 'T' : ''}`, async () => {
      await gradcheck(gpu, (a, b) => ops.matmul(a, b, { transA, transB, alpha: 0.75 }), [
        { data: r(n(sa), 1), shape: sa },
        { data: r(n(sb), 2), shape: sb },
      ], { maxElements: 12 });
    });
  }
});

describe('linear', () => {
  it('forward equals x W^T + b (rank-3 input)', async () => {
    const x = r(2 * 3 * 5, 3);
    const w = r(7 * 5, 4);
    const b = r(7, 5);
    const y = noGrad(() => scope(() => keep(ops.linear(tensor(gpu, x, [2, 3, 5]), tensor(gpu, w, [7, 5]), tensor(gpu, b, [7])))));
    const ref = matmulRef(x, w, { M: 6, N: 7, K: 5, transB: true, bias: b });
    testing.assertClose(await y.data(), ref, { atol: 1e-5 });
    y.dispose();
  });
  it('gradcheck with bias', async () => {
    await gradcheck(gpu, (x, w, b) => ops.linear(x, w, b), [
      { data: r(2 * 3 * 5, 6), shape: [2, 3, 5] },
      { data: r(7 * 5, 7), shape: [7, 5] },
      { data: r(7, 8), shape: [7] },
    ], { maxElements: 12 });
  });
  it('gradcheck without bias, frozen weight', async () => {
    await gradcheck(gpu, (x, w) => ops.linear(x, w), [
      { data: r(3 * 9, 9), shape: [3, 9] },
      { data: r(4 * 9, 10), shape: [4, 9], requiresGrad: false },
    ]);
  });
});
