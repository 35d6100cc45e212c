import { describe, it, beforeAll, expect } from 'vitest';
import {
  getGpu, reduce, argReduce, sumToShape, sumSquares, reduceRef, argReduceRef, sumToShapeRef, ShapeError,
  type Gpu, type ReduceOp, type ArgReduceOp, testing,
} from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const numel = (s: number[]) => s.reduce((x, y) => x * y, 1);

function absSums(x: Float32Array, shape: number[], axis: number): Float64Array {
  return reduceRef('sum', Array.from(x, Math.abs), shape, axis);
}

async function checkReduce(op: ReduceOp, shape: number[], axis: number, x: Float32Array, rtolOfAbs: number): Promise<void> {
  const xb = gpu.upload(x, 'x');
  const { out, shape: outShape } = reduce(gpu, op, xb, shape, axis, { keepdim: true });
  const ax = axis < 0 ? axis + shape.length : axis;
  expect(outShape).toEqual(shape.map((d, k) => (k === ax ? 1 : d)));
  const got = await gpu.readF32(out);
  const want = reduceRef(op, x, shape, axis);
  if (op === 'max' || op === 'min') {
    expect(Array.from(got.subarray(0, want.length))).toEqual(Array.from(want)); // exact: picks an element
  } else {
    // Error bound relative to the sum of |x| along the axis (the scale of f32 rounding).
    const scale = absSums(x, shape, axis);
    const len = shape[ax];
    for (let i = 0; i < want.length; i++) {
      const tol = rtolOfAbs * (op === 'mean' ? scale[i] / len : scale[i]) + 1e-30;
      if (!(Math.abs(got[i] - want[i]) <= tol)) {
        throw new Error(`${op} ${JSON.stringify(shape)} axis ${axis} [${i}]: got ${got[i]}, want ${want[i]}, tol ${tol}`);
      }
    }
  }
  xb.release();
  out.release();
}

describe('reductions over one axis vs float64', () => {
  const shapes: [number[], number][] = [
    [[5, 7, 9], 0], [[5, 7, 9], 1], [[5, 7, 9], 2], [[5, 7, 9], -1],
    [[3, 129, 5], 1], [[2, 33, 65], 1], [[257, 3], 0], [[3, 257], 1], [[1], 0], [[4, 1, 3], 1], [[1000, 6], 1],
  ];
  for (const op of ['sum', 'mean', 'max', 'min'] as ReduceOp[]) {
    it(`${op} over first/middle/last axes of odd shapes`, async () => {
      for (const [shape, axis] of shapes) {
        await checkReduce(op, shape, axis, testing.randUniform(numel(shape), 3 + axis, -2, 1), 4e-7);
      }
    });
  }

  it('long axes (10k and split over workgroups: 100k, [2,3001,40]) stay accurate', async () => {
    // uniform [0, 1): every term has the sign of the sum, so this measures relative accuracy
    await checkReduce('sum', [10007], 0, testing.randUniform(10007, 21, 0, 1), 2e-7);
    await checkReduce('sum', [3, 10007], 1, testing.randUniform(3 * 10007, 22, -1, 1), 2e-7);
    await checkReduce('sum', [100003], 0, testing.randUniform(100003, 23, 0, 1), 2e-7);
    await checkReduce('mean', [100003], 0, testing.randUniform(100003, 24, 0, 1), 2e-7);
    await checkReduce('sum', [2, 3001, 40], 1, testing.randUniform(2 * 3001 * 40, 25, 0, 1), 2e-7);
    await checkReduce('mean', [2, 3001, 40], 1, testing.randUniform(2 * 3001 * 40, 26, -1, 1), 2e-7);
    await checkReduce('max', [70001, 2], 0, testing.randUniform(140002, 27, -5, -1), 0);
    await checkReduce('min', [2, 70001], 1, testing.randUniform(140002, 28, 1, 5), 0);
  });

  it('is deterministic (same bits on repeated runs)', async () => {
    const x = testing.randNormal(100003, 5);
    const xb = gpu.upload(x);
    const a = await gpu.readF32(reduce(gpu, 'sum', xb, [100003], 0).out);
    const b = await gpu.readF32(reduce(gpu, 'sum', xb, [100003], 0).out);
    expect(a[0]).toBe(b[0]);
    xb.release();
  });

  it('argmax / argmin pick the first extreme along first/middle/last axes', async () => {
    const cases: [number[], number][] = [[[6, 5, 7], 0], [[6, 5, 7], 1], [[6, 5, 7], 2], [[3, 3001], 1], [[5000, 3], 0]];
    for (const op of ['argmax', 'argmin'] as ArgReduceOp[]) {
      for (const [shape, axis] of cases) {
        // few distinct values, so ties are everywhere
        const x = Float32Array.from(testing.randUniform(numel(shape), 9 + axis, -3, 3), (v) => Math.round(v));
        const xb = gpu.upload(x);
        const { out, shape: s } = argReduce(gpu, op, xb, shape, axis);
        expect(s).toEqual(shape.filter((_, k) => k !== axis));
        const got = await gpu.readU32(out);
        expect(Array.from(got.subarray(0, numel(s)))).toEqual(Array.from(argReduceRef(op, x, shape, axis)));
        xb.release();
        out.release();
      }
    }
  });

  it('sumToShape sums over broadcast dimensions', async () => {
    const cases: [number[], number[]][] = [
      [[2, 3, 4, 5], [3, 1, 1]], [[4, 6], [6]], [[4, 6], [4, 1]], [[3, 4, 5], []], [[3, 4, 5], [1, 1, 1]],
      [[3, 1, 5], [1, 5]], [[2, 3], [2, 3]], [[5, 1, 7], [5, 1, 1]], [[2, 5, 3, 7], [5, 1, 7]], [[0, 3], [3]], [[3, 0], [1, 1]],
    ];
    for (const [shape, target] of cases) {
      const x = testing.randUniform(numel(shape), 31, -1, 1);
      const xb = gpu.upload(x.length ? x : new Float32Array(1));
      const out = sumToShape(gpu, xb, shape, target);
      const got = await gpu.readF32(out);
      const want = sumToShapeRef(x, shape, target);
      testing.assertClose(got.subarray(0, want.length), want, { atol: 1e-6, rtol: 1e-6, label: `${JSON.stringify(shape)} -> ${JSON.stringify(target)}` });
      xb.release();
      out.release();
    }
    const xb = gpu.alloc(4 * 12);
    expect(() => sumToShape(gpu, xb, [3, 4], [3])).toThrow(ShapeError);
    expect(() => sumToShape(gpu, xb, [4], [2, 4])).toThrow(ShapeError);
    xb.release();
  });

  it('sumSquares writes per-tensor sums at offsets of one buffer', async () => {
    const sizes = [1, 300, 70001];
    const all = gpu.zeros(4 * sizes.length);
    const tensors = sizes.map((n, k) => testing.randNormal(n, 40 + k));
    const bufs = tensors.map((t) => gpu.upload(t));
    bufs.forEach((b, k) => sumSquares(gpu, b, sizes[k], { out: all, outOffset: k }));
    const got = await gpu.readF32(all);
    const want = tensors.map((t) => t.reduce((acc, v) => acc + v * v, 0));
    testing.assertClose(got, want, { atol: 0, rtol: 3e-7 });
    for (const b of [...bufs, all]) b.release();
  });

  it('validates axes and empty reductions', () => {
    const xb = gpu.alloc(4 * 6);
    expect(() => reduce(gpu, 'sum', xb, [2, 3], 2)).toThrow(ShapeError);
    expect(() => reduce(gpu, 'max', xb, [2, 0], 1)).toThrow(/empty axis/);
    expect(() => argReduce(gpu, 'argmax', xb, [0, 2], 0)).toThrow(/empty axis/);
    expect(() => reduce(gpu, 'sum', xb, [2, 4], 1)).toThrow(/holds 6/);
    xb.release();
  });
});
