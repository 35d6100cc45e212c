import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, permute, inversePerm, transpose, permuteRef, transposeRef, ShapeError, type Gpu, testing } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const numel = (s: number[]) => s.reduce((x, y) => x * y, 1);

async function checkPermute(shape: number[], perm: number[]): Promise<void> {
  const x = testing.randUniform(numel(shape), numel(shape) + perm[0]);
  const xb = gpu.upload(x);
  const { out, shape: outShape } = permute(gpu, xb, shape, perm);
  const want = permuteRef(x, shape, perm);
  expect(outShape).toEqual(want.shape);
  const got = await gpu.readF32(out);
  // data movement is exact
  expect(Array.from(got.subarray(0, want.out.length)), `${JSON.stringify(shape)} perm ${perm}`).toEqual(Array.from(want.out));
  // and the inverse permutation brings x back
  const back = permute(gpu, out, outShape, inversePerm(perm));
  expect(Array.from((await gpu.readF32(back.out)).subarray(0, x.length))).toEqual(Array.from(x));
  expect(back.shape).toEqual(shape);
  for (const b of [xb, out, back.out]) b.release();
}

describe('permute', () => {
  it('2-D transposes of odd sizes (tiled path)', async () => {
    await checkPermute([37, 53], [1, 0]);
    await checkPermute([1, 19], [1, 0]);
    await checkPermute([16, 48], [1, 0]);
  });

  it('batched transposes, attention head split, identity after collapsing', async () => {
    await checkPermute([3, 17, 33], [0, 2, 1]);
    await checkPermute([2, 5, 3, 7], [0, 2, 1, 3]); // [B,T,H,D] -> [B,H,T,D]
    await checkPermute([1, 5, 1, 3], [2, 0, 3, 1]); // only size-1 dims move: a copy
    await checkPermute([4, 3, 5], [1, 2, 0]); // collapses to a 2-D transpose
  });

  it('3-, 4-, 5- and 6-D permutations (general path)', async () => {
    await checkPermute([3, 4, 5], [2, 0, 1]);
    await checkPermute([3, 4, 5], [2, 1, 0]);
    await checkPermute([2, 3, 4, 5], [3, 1, 0, 2]);
    await checkPermute([2, 3, 2, 5, 3], [4, 2, 0, 3, 1]);
    await checkPermute([2, 3, 2, 3, 2, 3], [5, 3, 1, 4, 2, 0]);
  });

  it('transpose() directly, and validation', async () => {
    const x = testing.randUniform(2 * 19 * 21, 4);
    const xb = gpu.upload(x);
    const out = transpose(gpu, xb, 2, 19, 21);
    expect(Array.from((await gpu.readF32(out)).subarray(0, x.length))).toEqual(Array.from(transposeRef(x, 2, 19, 21)));
    expect(() => permute(gpu, xb, [2, 19, 21], [0, 1, 1])).toThrow(ShapeError);
    expect(() => permute(gpu, xb, [2, 19, 21], [1, 0])).toThrow(ShapeError);
    xb.release();
    out.release();
  });
});
