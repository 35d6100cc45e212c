import { describe, it, beforeAll, expect } from 'vitest';
import {
  getGpu,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  globalAvgPool,
  globalAvgPoolBackward,
  pool2dGeometry,
  maxPool2dRef,
  maxPool2dBackwardRef,
  avgPool2dRef,
  avgPool2dBackwardRef,
  globalAvgPoolRef,
  globalAvgPoolBackwardRef,
  ShapeError,
  testing,
  type Gpu,
  type Nhwc,
  type Pool2dOptions,
} from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const size = (s: Nhwc): number => s[0] * s[1] * s[2] * s[3];

interface Case {
  name: string;
  shape: Nhwc;
  opts: Pool2dOptions;
}

const cases: Case[] = [
  { name: 'ResNet stem 3x3 s2 p1, odd H/W, C=5', shape: [2, 9, 7, 5], opts: { kernel: 3, stride: 2, padding: 1 } },
  { name: 'single-element window (k1 s1)', shape: [1, 3, 4, 3], opts: { kernel: 1 } },
  { name: 'k2x3 s(1,2) p(1,1), batch 1', shape: [1, 6, 9, 7], opts: { kernel: [2, 3], stride: [1, 2], padding: [1, 1] } },
  { name: 'k2 default stride, odd H/W drop the last row/col', shape: [3, 5, 5, 2], opts: { kernel: 2 } },
  { name: 'window covers the whole input (k3 s1 p1 on 1x1)', shape: [2, 1, 1, 6], opts: { kernel: 3, stride: 1, padding: 1 } },
  { name: 'overlapping k3 s1 p0, C=1', shape: [2, 6, 5, 1], opts: { kernel: 3, stride: 1 } },
];

describe('maxpool2d', () => {
  for (const tc of cases) {
    it(tc.name, async () => {
      const g = pool2dGeometry('test', tc.shape, tc.opts);
      // Integers in [-4, 4] make ties common, so tie-breaking (first maximum) is checked too.
      const x = Float32Array.from(testing.randUniform(size(tc.shape), 11), (v) => Math.round(v * 4));
      const xb = gpu.upload(x, 'x');
      const { y, indices, outShape } = maxPool2d(gpu, xb, tc.shape, tc.opts);
      expect(outShape).toEqual([g.n, g.oh, g.ow, g.c]);
      const want = maxPool2dRef(x, g);
      expect(Array.from(await gpu.readF32(y))).toEqual(Array.from(want.y));
      expect(Array.from(await gpu.readU32(indices))).toEqual(Array.from(want.indices));

      const dy = testing.randUniform(want.y.length, 12);
      const dyb = gpu.upload(dy, 'dy');
      const dx = maxPool2dBackward(gpu, dyb, indices, tc.shape, tc.opts);
      // Each dx is a sum of at most 4 dy values (k3 s2 overlaps), exact up to f32 rounding.
      testing.assertClose(await gpu.readF32(dx), maxPool2dBackwardRef(dy, want.indices, g), { atol: 1e-6, rtol: 1e-6, label: 'dx' });
      for (const b of [xb, y, indices, dyb, dx]) b.release();
    });
  }

  it('windows of -inf point at a real element; -inf loses to any real value', async () => {
    const shape: Nhwc = [1, 4, 4, 2];
    const x = new Float32Array(size(shape)).fill(-Infinity);
    x[(1 * 4 + 2) * 2 + 1] = -1e30; // one finite value in channel 1
    const g = pool2dGeometry('test', shape, { kernel: 3, stride: 2, padding: 1 });
    const xb = gpu.upload(x, 'x');
    const { y, indices } = maxPool2d(gpu, xb, shape, { kernel: 3, stride: 2, padding: 1 });
    const want = maxPool2dRef(x, g);
    expect(Array.from(await gpu.readF32(y))).toEqual(Array.from(want.y));
    expect(Array.from(await gpu.readU32(indices))).toEqual(Array.from(want.indices));
    for (const b of [xb, y, indices]) b.release();
  });

  it('ResNet-size stem pool 2x32x32x64', async () => {
    const shape: Nhwc = [2, 32, 32, 64];
    const opts = { kernel: 3, stride: 2, padding: 1 };
    const g = pool2dGeometry('test', shape, opts);
    const x = testing.randNormal(size(shape), 5);
    const xb = gpu.upload(x, 'x');
    const { y, indices } = maxPool2d(gpu, xb, shape, opts);
    const want = maxPool2dRef(x, g);
    expect(Array.from(await gpu.readU32(indices))).toEqual(Array.from(want.indices));
    const dy = testing.randNormal(want.y.length, 6);
    const dyb = gpu.upload(dy, 'dy');
    const dx = maxPool2dBackward(gpu, dyb, indices, shape, opts);
    testing.assertClose(await gpu.readF32(dx), maxPool2dBackwardRef(dy, want.indices, g), { atol: 1e-6, rtol: 1e-6, label: 'dx' });
    for (const b of [xb, y, indices, dyb, dx]) b.release();
  });

  it('rejects bad geometry before dispatch', () => {
    const xb = gpu.alloc(4 * 4 * 4, 'x');
    expect(() => maxPool2d(gpu, xb, [1, 4, 4, 1], { kernel: 3, padding: 2 })).toThrow(ShapeError);
    expect(() => maxPool2d(gpu, xb, [1, 2, 2, 1], { kernel: 3, stride: 1 })).toThrow(/smaller than the kernel/);
    expect(() => maxPool2d(gpu, xb, [1, 4, 4, 2], { kernel: 2 })).toThrow(/holds 16 elements, shape needs 32/);
    expect(() => maxPool2d(gpu, xb, [1, 4, 4, 1], { kernel: 2, stride: 0 })).toThrow(ShapeError);
    xb.release();
  });
});

describe('avgpool2d', () => {
  for (const tc of cases) {
    for (const includePad of [true, false]) {
      it(`${tc.name}, count_include_pad=${includePad}`, async () => {
        const g = pool2dGeometry('test', tc.shape, tc.opts);
        const opts = { ...tc.opts, countIncludePad: includePad };
        const x = testing.randUniform(size(tc.shape), 21);
        const xb = gpu.upload(x, 'x');
        const { y } = avgPool2d(gpu, xb, tc.shape, opts);
        testing.assertClose(await gpu.readF32(y), avgPool2dRef(x, g, includePad), { atol: 1e-6, rtol: 1e-5, label: 'y' });
        const dy = testing.randUniform(g.n * g.oh * g.ow * g.c, 22);
        const dyb = gpu.upload(dy, 'dy');
        const dx = avgPool2dBackward(gpu, dyb, tc.shape, opts);
        testing.assertClose(await gpu.readF32(dx), avgPool2dBackwardRef(dy, g, includePad), { atol: 1e-6, rtol: 1e-5, label: 'dx' });
        for (const b of [xb, y, dyb, dx]) b.release();
      });
    }
  }

  it('count_include_pad is PyTorch\'s default (corner of a padded 3x3 window divides by 9)', async () => {
    const shape: Nhwc = [1, 2, 2, 1];
    const xb = gpu.upload(new Float32Array([1, 2, 3, 4]), 'x');
    const { y } = avgPool2d(gpu, xb, shape, { kernel: 3, stride: 2, padding: 1 });
    testing.assertClose(await gpu.readF32(y), [10 / 9], { atol: 1e-7, rtol: 1e-6 });
    const { y: y2 } = avgPool2d(gpu, xb, shape, { kernel: 3, stride: 2, padding: 1, countIncludePad: false });
    testing.assertClose(await gpu.readF32(y2), [10 / 4], { atol: 1e-7, rtol: 1e-6 });
    for (const b of [xb, y, y2]) b.release();
  });
});

describe('global_avgpool', () => {
  for (const shape of [[3, 5, 7, 13], [1, 1, 1, 1], [2, 4, 4, 300]] as Nhwc[]) {
    it(`[${shape.join(',')}]`, async () => {
      const x = testing.randNormal(size(shape), 31);
      const xb = gpu.upload(x, 'x');
      const y = globalAvgPool(gpu, xb, shape);
      testing.assertClose(await gpu.readF32(y), globalAvgPoolRef(x, shape), { atol: 1e-6, rtol: 1e-5, label: 'y' });
      const dy = testing.randNormal(shape[0] * shape[3], 32);
      const dyb = gpu.upload(dy, 'dy');
      const dx = globalAvgPoolBackward(gpu, dyb, shape);
      testing.assertClose(await gpu.readF32(dx), globalAvgPoolBackwardRef(dy, shape), { atol: 1e-7, rtol: 1e-6, label: 'dx' });
      for (const b of [xb, y, dyb, dx]) b.release();
    });
  }
});
