import { describe, it, beforeAll, expect } from 'vitest';
import {
  getGpu, conv2dBackwardInput, conv2dBackwardWeight, conv2dRef, conv2dBackwardInputRef, conv2dBackwardWeightRef,
  ShapeError, testing, type Conv2dShape, type Gpu, type TileExchange,
} from '../src/index.ts';
import { convData, onGpu, shapeName } from './conv2d_util.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

// f32 sums of at most a few hundred products of values in (-1, 1) (the weight gradient sums
// N*OH*OW <= ~250 pixels per element here): 1e-4 is ~100x the rounding and catches any wrong index.
const TOL = { atol: 1e-4, rtol: 1e-4 };

const shapes: { name: string; shape: Conv2dShape }[] = [
  { name: 'batch 1, 3x3 s1 p1', shape: { n: 1, h: 7, w: 9, cin: 8, cout: 12, kh: 3, kw: 3, pad: 1 } },
  { name: 'RGB stem 7x7 s2 p3, Cin 3', shape: { n: 2, h: 11, w: 13, cin: 3, cout: 64, kh: 7, kw: 7, stride: 2, pad: 3 } },
  { name: '3x3 s2 p1, (H + 2p - k) % s != 0 (last input row/column reached by one tap only)', shape: { n: 2, h: 10, w: 9, cin: 12, cout: 36, kh: 3, kw: 3, stride: 2, pad: 1 } },
  { name: '1x1 s2 (odd input pixels get no gradient)', shape: { n: 3, h: 5, w: 6, cin: 16, cout: 40, kh: 1, kw: 1, stride: 2 } },
  { name: '2x2 s3: stride larger than the kernel (a whole phase without taps)', shape: { n: 1, h: 8, w: 7, cin: 4, cout: 8, kh: 2, kw: 2, stride: 3 } },
  { name: 'dilation 2', shape: { n: 1, h: 10, w: 9, cin: 8, cout: 8, kh: 3, kw: 3, pad: 2, dilation: 2 } },
  { name: 'non-square kernel/stride/padding/dilation, odd channels', shape: { n: 1, h: 9, w: 7, cin: 5, cout: 7, kh: 3, kw: 2, stride: [2, 1], pad: [1, 0], dilation: [1, 2] } },
  { name: 'output 1x1, Cout % 4 != 0', shape: { n: 2, h: 3, w: 3, cin: 4, cout: 6, kh: 3, kw: 3 } },
  { name: 'deep: Cin 64 -> Cout 40 (several 32-channel tiles)', shape: { n: 1, h: 5, w: 6, cin: 64, cout: 40, kh: 3, kw: 3, pad: 1 } },
];

async function checkDx(shape: Conv2dShape, exchange?: TileExchange): Promise<void> {
  const d = convData(shape);
  const got = await onGpu(gpu, [d.dy, d.w], ([dy, w]) => conv2dBackwardInput(gpu, dy, w, shape, { algorithm: 'direct', exchange }));
  testing.assertClose(got, conv2dBackwardInputRef(d.dy, d.w, shape), { ...TOL, label: `dx ${shapeName(shape)}` });
}

async function checkDw(shape: Conv2dShape, opts: { splits?: number; exchange?: TileExchange } = {}): Promise<void> {
  const d = convData(shape);
  const got = await onGpu(gpu, [d.x, d.dy], ([x, dy]) => conv2dBackwardWeight(gpu, x, dy, shape, opts));
  testing.assertClose(got, conv2dBackwardWeightRef(d.x, d.dy, shape), { ...TOL, label: `dw ${shapeName(shape)}` });
}

describe('conv2d float64 references are the gradients of the forward reference', () => {
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let s = 0;
    for (let k = 0; k < a.length; k++) s += a[k] * b[k];
    return s;
  };
  // y is bilinear in (x, w), so L = <conv(x, w), dy> satisfies L = <x, dL/dx> = <w, dL/dw>
  // exactly: the adjoint identity checks every index of both references at once.
  for (const { name, shape } of shapes) {
    it(`adjoint identity: ${name}`, () => {
      const d = convData(shape, 5);
      const L = dot(conv2dRef(d.x, d.w, shape), d.dy);
      expect(dot(d.x, conv2dBackwardInputRef(d.dy, d.w, shape))).toBeCloseTo(L, 9);
      expect(dot(d.w, conv2dBackwardWeightRef(d.x, d.dy, shape))).toBeCloseTo(L, 9);
    });
  }

  it('central differences of L = <conv(x, w), dy> match single dx and dw entries', () => {
    const shape = shapes[2].shape;
    const d = convData(shape, 9);
    const L = (x: ArrayLike<number>, w: ArrayLike<number>) => dot(conv2dRef(x, w, shape), d.dy);
    const dx = conv2dBackwardInputRef(d.dy, d.w, shape);
    const dw = conv2dBackwardWeightRef(d.x, d.dy, shape);
    const h = 1e-3;
    for (const k of [0, 37, d.x.length - 1]) {
      const xp = Float64Array.from(d.x), xm = Float64Array.from(d.x);
      xp[k] += h;
      xm[k] -= h;
      expect((L(xp, d.w) - L(xm, d.w)) / (2 * h)).toBeCloseTo(dx[k], 6);
    }
    for (const k of [0, 101, d.w.length - 1]) {
      const wp = Float64Array.from(d.w), wm = Float64Array.from(d.w);
      wp[k] += h;
      wm[k] -= h;
      expect((L(d.x, wp) - L(d.x, wm)) / (2 * h)).toBeCloseTo(dw[k], 6);
    }
  });
});

describe('conv2d input gradient (direct, stride phases)', () => {
  for (const { name, shape } of shapes) it(name, () => checkDx(shape));

  it('portable workgroup-memory tile exchange', async () => {
    for (const k of [1, 2]) await checkDx(shapes[k].shape, 'workgroup');
  });

  it('overwrites every element of a dirty out buffer', async () => {
    const shape = shapes[3].shape; // half the pixels get no taps: they must still be written (zero)
    const d = convData(shape);
    const out = gpu.upload(new Float32Array(3 * 5 * 6 * 16).fill(Number.NaN));
    const dy = gpu.upload(d.dy);
    const w = gpu.upload(d.w);
    conv2dBackwardInput(gpu, dy, w, shape, { out, algorithm: 'direct' });
    testing.assertClose(await gpu.readF32(out), conv2dBackwardInputRef(d.dy, d.w, shape), TOL);
    for (const b of [out, dy, w]) b.release();
  });
});

describe('conv2d weight gradient (split-K)', () => {
  for (const { name, shape } of shapes) it(name, () => checkDw(shape));

  it('split-K slices 1, 2, 7 and more slices than 4-pixel steps agree with the reference', async () => {
    const shape = shapes[0].shape; // 63 pixels
    for (const splits of [1, 2, 7, 40]) await checkDw(shape, { splits });
  });

  it('portable workgroup-memory tile exchange', async () => {
    await checkDw(shapes[1].shape, { exchange: 'workgroup', splits: 3 });
    await checkDw(shapes[6].shape, { exchange: 'workgroup', splits: 1 });
  });

  it('accumulate adds into an existing gradient (with and without split-K)', async () => {
    for (const splits of [1, 3]) {
      const shape = shapes[2].shape;
      const d = convData(shape);
      const prev = testing.randUniform(d.w.length, 77);
      const acc = gpu.upload(prev);
      const x = gpu.upload(d.x);
      const dy = gpu.upload(d.dy);
      expect(conv2dBackwardWeight(gpu, x, dy, shape, { accumulate: acc, splits })).toBe(acc);
      const want = conv2dBackwardWeightRef(d.x, d.dy, shape).map((v, k) => v + prev[k]);
      testing.assertClose(await gpu.readF32(acc), want, { ...TOL, label: `accumulate, ${splits} slice(s)` });
      for (const b of [acc, x, dy]) b.release();
    }
  });

  it('rejects bad arguments with a ShapeError', () => {
    const shape = shapes[0].shape;
    const x = gpu.alloc(1000 * 4); // >= both x (504) and dw (864) elements, to reach the alias check
    const dy = gpu.alloc(7 * 9 * 12 * 4);
    const dw = gpu.alloc(3 * 3 * 8 * 12 * 4);
    expect(() => conv2dBackwardWeight(gpu, x, dy, { ...shape, cout: 13 })).toThrow(/gradient dy .* holds 756 < 819/);
    expect(() => conv2dBackwardWeight(gpu, x, dy, shape, { accumulate: dw, out: gpu.alloc(8) })).toThrow(ShapeError);
    expect(() => conv2dBackwardWeight(gpu, x, dy, shape, { splits: 0 })).toThrow(/splits must be a positive integer/);
    expect(() => conv2dBackwardWeight(gpu, x, dy, shape, { out: x })).toThrow(/alias/);
    expect(() => conv2dBackwardInput(gpu, dy, dw, { ...shape, kh: 0 })).toThrow(ShapeError);
    expect(() => conv2dBackwardInput(gpu, dy, dw, shape, { out: gpu.alloc(16) })).toThrow(/output dx/);
    for (const b of [x, dy, dw]) b.release();
  });
});
