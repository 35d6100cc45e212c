import { describe, it, beforeAll, expect } from 'vitest';
import {
  getGpu, slice, sliceBackward, sliceScatter, concat, concatBackward, sliceRef, sliceBackwardRef, concatRef, ShapeError,
  type Gpu, testing,
} from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const numel = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
const exact = async (buf: Parameters<Gpu['readF32']>[0], want: ArrayLike<number>, label: string) =>
  expect(Array.from((await gpu.readF32(buf)).subarray(0, want.length)), label).toEqual(Array.from(want));

describe('slice and its backward', () => {
  const cases: [number[], number[], number[]][] = [
    [[7, 9], [2, 1], [5, 8]],
    [[7, 9], [0, 3], [7, 4]], // one column: strided box
    [[4, 5, 6], [1, 0, 0], [3, 5, 6]], // leading rows: contiguous after collapsing
    [[4, 5, 6], [0, 2, 1], [4, 5, 5]],
    [[3, 4, 5, 6, 7], [1, 1, 2, 0, 3], [2, 4, 5, 6, 6]],
    [[2, 3, 2, 3, 2, 3], [1, 0, 1, 1, 0, 1], [2, 2, 2, 3, 1, 3]],
    [[5, 6], [2, 2], [2, 6]], // empty
  ];
  for (const [shape, starts, ends] of cases) {
    it(`${JSON.stringify(shape)} [${starts}]..[${ends}] and back`, async () => {
      const x = testing.randUniform(numel(shape), numel(shape));
      const xb = gpu.upload(x);
      const { out, shape: s } = slice(gpu, xb, shape, starts, ends);
      expect(s).toEqual(ends.map((e, k) => e - starts[k]));
      const want = sliceRef(x, shape, starts, ends);
      await exact(out, want, 'slice');
      // backward into zeros, then accumulated into an existing gradient
      const dx = sliceBackward(gpu, out, shape, starts, ends);
      await exact(dx, sliceBackwardRef(want, shape, starts, ends), 'slice backward');
      const g = testing.randUniform(numel(shape), 3);
      const gb = gpu.upload(g);
      sliceBackward(gpu, out, shape, starts, ends, { out: gb, accumulate: true });
      testing.assertClose(await gpu.readF32(gb), sliceBackwardRef(want, shape, starts, ends, g), { atol: 0, rtol: 1e-7 });
      for (const b of [xb, out, dx, gb]) b.release();
    });
  }

  it('sliceScatter writes only its box; validation', async () => {
    const big = gpu.upload(new Float32Array(12).fill(7));
    const src = gpu.upload(new Float32Array([1, 2, 3, 4]));
    sliceScatter(gpu, src, [2, 2], big, [3, 4], [1, 1]);
    await exact(big, [7, 7, 7, 7, 7, 1, 2, 7, 7, 3, 4, 7], 'scatter');
    expect(() => slice(gpu, big, [3, 4], [0, 2], [3, 5])).toThrow(ShapeError);
    expect(() => slice(gpu, big, [3, 4], [2, 0], [1, 4])).toThrow(ShapeError);
    expect(() => sliceBackward(gpu, src, [3, 4], [0, 0], [2, 2], { accumulate: true })).toThrow(/accumulate/);
    big.release();
    src.release();
  });
});

describe('concat', () => {
  const cases: [number[][], number][] = [
    [[[3, 4], [2, 4], [5, 4]], 0],
    [[[3, 4], [3, 1], [3, 6]], 1],
    [[[2, 3, 5], [2, 1, 5], [2, 4, 5]], 1],
    [[[2, 3, 5], [2, 3, 2]], -1],
    [[[2, 3, 5]], 2],
    [[[2, 0, 5], [2, 3, 5]], 1],
  ];
  for (const [shapes, axis] of cases) {
    it(`${JSON.stringify(shapes)} along ${axis}, split back by concatBackward`, async () => {
      const xs = shapes.map((s, i) => testing.randUniform(numel(s), 10 + i));
      const bufs = xs.map((x) => gpu.upload(x.length ? x : new Float32Array(1)));
      const { out, shape } = concat(gpu, bufs, shapes, axis);
      const ax = axis < 0 ? axis + shapes[0].length : axis;
      expect(shape).toEqual(shapes[0].map((d, k) => (k === ax ? shapes.reduce((a, s) => a + s[ax], 0) : d)));
      await exact(out, concatRef(xs, shapes, axis), 'concat');
      const parts = concatBackward(gpu, out, shapes, axis);
      for (let i = 0; i < parts.length; i++) await exact(parts[i], xs[i], `part ${i}`);
      for (const b of [...bufs, out, ...parts]) b.release();
    });
  }

  it('rejects mismatched shapes', () => {
    const a = gpu.alloc(4 * 12);
    expect(() => concat(gpu, [a, a], [[3, 4], [4, 3]], 0)).toThrow(ShapeError);
    expect(() => concat(gpu, [a], [[3, 4]], 2)).toThrow(ShapeError);
    a.release();
  });
});
