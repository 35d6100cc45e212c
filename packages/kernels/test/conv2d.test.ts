import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, conv2d, conv2dOutputSize, conv2dRef, ShapeError, testing, type Conv2dShape, type Conv2dOptions, type Gpu } from '../src/index.ts';
import { convData, onGpu, shapeName } from './conv2d_util.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

// Direct implicit GEMM in f32 vs float64: sums of at most a few hundred products of values in
// (-1, 1), so |error| stays ~1e-6 of the output scale; 1e-4 still catches any wrong index.
const TOL = { atol: 1e-4, rtol: 1e-4 };

const cases: { name: string; shape: Conv2dShape; opts?: Pick<Conv2dOptions, 'activation'> & { bias?: boolean } }[] = [
  { name: 'batch 1, 3x3 s1 p1, pixels not a multiple of the 16-pixel tile', shape: { n: 1, h: 7, w: 9, cin: 8, cout: 12, kh: 3, kw: 3, pad: 1 } },
  { name: 'RGB stem 7x7 s2 p3, Cin 3 (scalar input view), bias + ReLU', shape: { n: 2, h: 11, w: 13, cin: 3, cout: 64, kh: 7, kw: 7, stride: 2, pad: 3 }, opts: { bias: true, activation: 'relu' } },
  { name: '3x3 s2 p1 with odd H/W ((H + 2p - k) % s != 0)', shape: { n: 2, h: 9, w: 10, cin: 12, cout: 36, kh: 3, kw: 3, stride: 2, pad: 1 } },
  { name: '1x1 s2 (ResNet downsample)', shape: { n: 3, h: 5, w: 6, cin: 16, cout: 40, kh: 1, kw: 1, stride: 2 } },
  { name: '1x1 s1 (plain GEMM), Cout beyond one 32-channel tile', shape: { n: 2, h: 6, w: 5, cin: 20, cout: 72, kh: 1, kw: 1 } },
  { name: 'dilation 2', shape: { n: 1, h: 10, w: 9, cin: 8, cout: 8, kh: 3, kw: 3, pad: 2, dilation: 2 } },
  { name: 'non-square kernel, stride, padding and dilation, odd channels', shape: { n: 1, h: 9, w: 7, cin: 5, cout: 7, kh: 3, kw: 2, stride: [2, 1], pad: [1, 0], dilation: [1, 2] } },
  { name: 'Cout % 4 != 0 (scalar weight/output views), bias', shape: { n: 2, h: 5, w: 5, cin: 8, cout: 6, kh: 3, kw: 3, pad: 1 }, opts: { bias: true } },
  { name: 'output 1x1 (no padding)', shape: { n: 2, h: 3, w: 3, cin: 4, cout: 4, kh: 3, kw: 3 } },
  { name: 'kernel wider than the unpadded input', shape: { n: 1, h: 2, w: 1, cin: 4, cout: 5, kh: 3, kw: 3, pad: 1 } },
  { name: 'ReLU without bias, deep reduction (K = 3*3*64)', shape: { n: 1, h: 6, w: 5, cin: 64, cout: 32, kh: 3, kw: 3, pad: 1 }, opts: { activation: 'relu' } },
];

async function runCase(shape: Conv2dShape, opts: { bias?: boolean; activation?: 'none' | 'relu' } = {}, extra: Conv2dOptions = {}): Promise<void> {
  const d = convData(shape);
  const inputs = opts.bias ? [d.x, d.w, d.bias] : [d.x, d.w];
  const got = await onGpu(gpu, inputs, ([x, w, bias]) => conv2d(gpu, x, w, shape, { bias, activation: opts.activation, algorithm: 'direct', ...extra }));
  const want = conv2dRef(d.x, d.w, shape, { bias: opts.bias ? d.bias : undefined, activation: opts.activation });
  testing.assertClose(got, want, { ...TOL, label: shapeName(shape) });
}

describe('conv2d forward (direct implicit GEMM)', () => {
  for (const c of cases) {
    it(c.name, () => runCase(c.shape, c.opts));
  }

  it('portable workgroup-memory tile exchange (no subgroups)', async () => {
    for (const c of [cases[0], cases[1], cases[6]]) await runCase(c.shape, c.opts, { exchange: 'workgroup' });
  });

  it('more than 65535 pixel tiles (2-D workgroup grid)', async () => {
    // 1024 x 1025 pixels = 65600 tiles of 16.
    await runCase({ n: 1, h: 1024, w: 1025, cin: 4, cout: 4, kh: 1, kw: 1 });
  });

  it('writes into `out` and leaves the rest of a larger buffer alone', async () => {
    const shape: Conv2dShape = { n: 1, h: 4, w: 4, cin: 4, cout: 4, kh: 3, kw: 3, pad: 1 };
    const d = convData(shape);
    const out = gpu.upload(new Float32Array(64 + 5).fill(7));
    const xb = gpu.upload(d.x);
    const wb = gpu.upload(d.w);
    expect(conv2d(gpu, xb, wb, shape, { out })).toBe(out);
    const got = await gpu.readF32(out);
    testing.assertClose(got.subarray(0, 64), conv2dRef(d.x, d.w, shape), TOL);
    expect(Array.from(got.subarray(64))).toEqual([7, 7, 7, 7, 7]);
    for (const b of [out, xb, wb]) b.release();
  });
});

describe('conv2d shapes', () => {
  it('conv2dOutputSize: floor((H + 2p - d(k - 1) - 1) / s) + 1', () => {
    expect(conv2dOutputSize({ n: 1, h: 124, w: 124, cin: 3, cout: 64, kh: 7, kw: 7, stride: 2, pad: 3 })).toEqual({ oh: 62, ow: 62 });
    expect(conv2dOutputSize({ n: 1, h: 31, w: 31, cin: 1, cout: 1, kh: 3, kw: 3, stride: 2, pad: 1 })).toEqual({ oh: 16, ow: 16 });
    expect(conv2dOutputSize({ n: 1, h: 10, w: 9, cin: 1, cout: 1, kh: 3, kw: 2, stride: [2, 3], pad: [0, 1], dilation: [2, 1] })).toEqual({ oh: 3, ow: 4 });
    expect(conv2dOutputSize({ n: 1, h: 1, w: 1, cin: 1, cout: 1, kh: 1, kw: 1, stride: 5 })).toEqual({ oh: 1, ow: 1 });
  });

  it('rejects bad shapes and buffers with a ShapeError naming the shapes', () => {
    const ok: Conv2dShape = { n: 1, h: 4, w: 4, cin: 4, cout: 4, kh: 3, kw: 3, pad: 1 };
    const x = gpu.alloc(64 * 4);
    const w = gpu.alloc(144 * 4);
    const bad: [Conv2dShape, RegExp][] = [
      [{ ...ok, cin: 0 }, /cin must be a positive integer/],
      [{ ...ok, kh: 2.5 }, /kh must be a positive integer/],
      [{ ...ok, stride: [1, 0] }, /sw must be a positive integer/],
      [{ ...ok, pad: -1 }, /ph must be a non-negative integer/],
      [{ ...ok, pad: 0, kh: 5 }, /empty output 0x2 \(x \[1,4,4,4\] w \[5,3,4,4\]/],
    ];
    for (const [s, msg] of bad) {
      expect(() => conv2d(gpu, x, w, s)).toThrow(ShapeError);
      expect(() => conv2d(gpu, x, w, s)).toThrow(msg);
    }
    expect(() => conv2d(gpu, x, w, { ...ok, cin: 5 })).toThrow(/input x .* holds 64 < 80 elements/);
    expect(() => conv2d(gpu, x, w, ok, { bias: gpu.alloc(8) })).toThrow(/bias .* holds 2 < 4/);
    expect(() => conv2d(gpu, x, w, ok, { out: x })).toThrow(/alias/);
    expect(() => conv2d(gpu, x, w, { ...ok, stride: 2 }, { algorithm: 'winograd4' })).toThrow(ShapeError);
    x.release();
    w.release();
  });
});
