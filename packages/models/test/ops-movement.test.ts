import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, type Gpu, testing } from '@exif-lang/kernels';
import { gradcheck, tensor, noGrad, scope, keep, backward, ops, type Tensor } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const r = (n: number, seed: number) => testing.randUniform(n, seed);
const n = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

describe('gradcheck: movement', () => {
  it('permute [2,3,4,5] -> [0,2,3,1] and transpose', async () => {
    const shape = [2, 3, 4, 5];
    await gradcheck(gpu, (x) => ops.permute(x, [0, 2, 3, 1]), [{ data: r(n(shape), 1), shape }], { maxElements: 12 });
    await gradcheck(gpu, (x) => ops.transpose(x, -1, 1), [{ data: r(n(shape), 2), shape }], { maxElements: 12 });
  });
  it('slice and narrow', async () => {
    const shape = [3, 5, 4];
    await gradcheck(gpu, (x) => ops.slice(x, [1, 1], [3, 4]), [{ data: r(n(shape), 3), shape }]);
    await gradcheck(gpu, (x) => ops.narrow(x, -1, 1, 2), [{ data: r(n(shape), 4), shape }]);
  });
  it('concat along a middle axis, one input frozen', async () => {
    await gradcheck(gpu, (a, b, c) => ops.concat([a, b, c], 1), [
      { data: r(2 * 1 * 3, 5), shape: [2, 1, 3] },
      { data: r(2 * 4 * 3, 6), shape: [2, 4, 3], requiresGrad: false },
      { data: r(2 * 2 * 3, 7), shape: [2, 2, 3] },
    ]);
  });
});

describe('embedding', () => {
  it('forward gathers rows; gradcheck with repeated ids', async () => {
    const ids = new Float32Array([3, 0, 3, 1, 4, 3]);
    const table = r(5 * 3, 8);
    const idT = tensor(gpu, Uint32Array.from(ids), [2, 3], 'u32');
    const y = noGrad(() => scope(() => keep(ops.embedding(tensor(gpu, table, [5, 3]), idT))));
    expect(y.shape).toEqual([2, 3, 3]);
    const got = await y.data();
    ids.forEach((id, i) => expect(Array.from(got.subarray(i * 3, i * 3 + 3))).toEqual(Array.from(table.subarray(id * 3, id * 3 + 3))));
    y.dispose();
    idT.dispose();
    await gradcheck(gpu, (t, i) => ops.embedding(t, i), [
      { data: table, shape: [5, 3] },
      { data: ids, shape: [2, 3], dtype: 'u32' },
    ]);
  });
  it('padding row gets exactly zero gradient', async () => {
    // gradcheck's finite differences see row 0 change the loss, so check the analytic zero directly.
    const t = tensor(gpu, r(4 * 2, 9), [4, 2]);
    t.requiresGrad = true;
    const ids = tensor(gpu, Uint32Array.from([0, 2, 0]), [3], 'u32');
    const loss = scope(() => ops.sumAll(ops.embedding(t, ids, 0)));
    backward(loss);
    expect(Array.from(await t.grad!.data())).toEqual([0, 0, 0, 0, 1, 1, 0, 0]);
    for (const x of [loss, t.grad!, t, ids]) x.dispose();
  });
});

describe('dropout', () => {
  const shape = [3, 37];
  it('train: seeded mask, inverted scaling, gradcheck (mask recomputed in backward)', async () => {
    const x = testing.randUniform(n(shape), 10, 0.5, 1.5);
    const y = noGrad(() => scope(() => keep(ops.dropout(tensor(gpu, x, shape), 0.25, [5, 1], true))));
    const v = await y.data();
    y.dispose();
    let zeros = 0;
    v.forEach((e, i) => (e === 0 ? zeros++ : expect(e).toBeCloseTo(x[i] / 0.75, 5)));
    expect(zeros).toBeGreaterThan(10);
    expect(zeros).toBeLessThan(50);
    await gradcheck(gpu, (t) => ops.dropout(t, 0.25, [5, 1], true), [{ data: x, shape }]);
  });
  it('eval and p = 0 are the identity', async () => {
    const x = r(n(shape), 11);
    for (const [p, training] of [[0.5, false], [0, true]] as [number, boolean][]) {
      const y = noGrad(() => scope(() => keep(ops.dropout(tensor(gpu, x, shape), p, [1, 2], training))));
      expect(Array.from(await y.data())).toEqual(Array.from(x));
      y.dispose();
    }
    await gradcheck(gpu, (t) => ops.dropout(t, 0.5, [1, 2], false), [{ data: x, shape }]);
  });
});

describe('maskedMean', () => {
  const mask = Uint32Array.from([1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]); // lengths 3, 1, 0 (T = 4)
  const shape = [3, 4, 5];
  it('forward: mean over real tokens, zeros for an empty row', async () => {
    const h = r(n(shape), 12);
    const m = tensor(gpu, mask, [3, 4], 'u32');
    const y = noGrad(() => scope(() => keep(ops.maskedMean(tensor(gpu, h, shape), m))));
    const ref = new Float64Array(15);
    for (let b = 0; b < 3; b++) {
      let cnt = 0;
      for (let t = 0; t < 4; t++) if (mask[b * 4 + t]) {
        cnt++;
        for (let d = 0; d < 5; d++) ref[b * 5 + d] += h[(b * 4 + t) * 5 + d];
      }
      for (let d = 0; d < 5; d++) ref[b * 5 + d] /= Math.max(cnt, 1e-9);
    }
    testing.assertClose(await y.data(), ref, { atol: 1e-6 });
    y.dispose();
    m.dispose();
  });
  it('gradcheck', async () => {
    await gradcheck(gpu, (h: Tensor, m: Tensor) => ops.maskedMean(h, m), [
      { data: r(n(shape), 13), shape },
      { data: Float32Array.from(mask), shape: [3, 4], dtype: 'u32' },
    ]);
  });
});
