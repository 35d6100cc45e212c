import { describe, it, beforeAll, expect } from 'vitest';
import {
  getGpu, conv2d, conv2dAlgorithm, conv2dBackwardInput, conv2dRef, conv2dBackwardInputRef, ShapeError, testing,
  type Conv2dShape, type Gpu,
} from '../src/index.ts';
import { convData, onGpu, shapeName } from './conv2d_util.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

// Tolerances. F(2x2,3x3) transforms only add/subtract and halve, so it rounds like the direct
// conv: same 1e-4. F(4x4,3x3) scales the input patch by up to 5 (B^T), the filter by 1/24..1 (G)
// and the transform-domain sums by up to 8 per axis on the way back (A^T): rounding errors of
// the 36 transform-domain sums come back amplified ~10-100x. Measured here: max error ~1e-5 of
// max|y| (Cin 64); the elementwise bound is 1e-3 abs + 1e-4 rel, and the error relative to the
// output scale must stay below 5e-5 (a wrong index gives O(1)).
const TOL2 = { atol: 1e-4, rtol: 1e-4 };
const TOL4 = { atol: 1e-3, rtol: 1e-4 };
const SCALE4 = 5e-5;

const shapes: { name: string; shape: Conv2dShape }[] = [
  { name: 'batch 1, pad 1, partial edge tiles (7x9)', shape: { n: 1, h: 7, w: 9, cin: 8, cout: 12, kh: 3, kw: 3, pad: 1 } },
  { name: 'batch 2, no padding', shape: { n: 2, h: 9, w: 6, cin: 4, cout: 8, kh: 3, kw: 3 } },
  { name: 'pad 2, rectangular pad (2, 0)', shape: { n: 1, h: 5, w: 8, cin: 12, cout: 4, kh: 3, kw: 3, pad: [2, 0] } },
  { name: 'output 1x1 (a single partial tile)', shape: { n: 3, h: 3, w: 3, cin: 4, cout: 4, kh: 3, kw: 3 } },
  { name: 'ResNet-like 64 -> 32, 10x10', shape: { n: 1, h: 10, w: 10, cin: 64, cout: 32, kh: 3, kw: 3, pad: 1 } },
];

function checkWinograd(m: 2 | 4, got: Float32Array, want: Float64Array, label: string): void {
  testing.assertClose(got, want, { ...(m === 2 ? TOL2 : TOL4), label });
  if (m === 4) expect(testing.maxRelDiff(got, want)).toBeLessThan(SCALE4);
}

describe('conv2d Winograd forward', () => {
  for (const m of [2, 4] as const) {
    for (const { name, shape } of shapes) {
      it(`F(${m}x${m}): ${name}`, async () => {
        const d = convData(shape);
        const got = await onGpu(gpu, [d.x, d.w, d.bias], ([x, w, bias]) =>
          conv2d(gpu, x, w, shape, { algorithm: m === 2 ? 'winograd2' : 'winograd4', bias, activation: 'relu' }));
        checkWinograd(m, got, conv2dRef(d.x, d.w, shape, { bias: d.bias, activation: 'relu' }), shapeName(shape));
      });
    }
  }

  it('F(4x4) error on unit-variance data at ResNet width stays ~1e-5 of the output scale', async () => {
    const shape: Conv2dShape = { n: 1, h: 12, w: 12, cin: 128, cout: 16, kh: 3, kw: 3, pad: 1 };
    const x = testing.randNormal(12 * 12 * 128, 3);
    const w = testing.randNormal(9 * 128 * 16, 4, Math.sqrt(2 / (9 * 128))); // He init
    const want = conv2dRef(x, w, shape);
    const direct = await onGpu(gpu, [x, w], ([xb, wb]) => conv2d(gpu, xb, wb, shape, { algorithm: 'direct' }));
    const f4 = await onGpu(gpu, [x, w], ([xb, wb]) => conv2d(gpu, xb, wb, shape, { algorithm: 'winograd4' }));
    expect(testing.maxRelDiff(direct, want)).toBeLessThan(5e-6);
    expect(testing.maxRelDiff(f4, want)).toBeLessThan(SCALE4);
  });
});

describe('conv2d Winograd input gradient (rotated, transposed filter)', () => {
  for (const m of [2, 4] as const) {
    for (const { name, shape } of shapes) {
      it(`F(${m}x${m}): ${name}`, async () => {
        const d = convData(shape);
        const got = await onGpu(gpu, [d.dy, d.w], ([dy, w]) => conv2dBackwardInput(gpu, dy, w, shape, { algorithm: m === 2 ? 'winograd2' : 'winograd4' }));
        checkWinograd(m, got, conv2dBackwardInputRef(d.dy, d.w, shape), `dx ${shapeName(shape)}`);
      });
    }
  }
});

describe('conv2d algorithm choice', () => {
  it("'auto' takes F(4x4) for aligned 3x3 stride-1 convs larger than 4x4 and the direct kernel otherwise", () => {
    const base: Conv2dShape = { n: 1, h: 8, w: 8, cin: 16, cout: 16, kh: 3, kw: 3, pad: 1 };
    expect(conv2dAlgorithm(gpu, base)).toBe('winograd4');
    expect(conv2dAlgorithm(gpu, base, 'backwardInput')).toBe('winograd4');
    expect(conv2dAlgorithm(gpu, { ...base, stride: 2 })).toBe('direct');
    expect(conv2dAlgorithm(gpu, { ...base, dilation: 2, pad: 2 })).toBe('direct');
    expect(conv2dAlgorithm(gpu, { ...base, cin: 3 })).toBe('direct');
    expect(conv2dAlgorithm(gpu, { ...base, kh: 1, kw: 1, pad: 0 })).toBe('direct');
    expect(conv2dAlgorithm(gpu, { ...base, pad: 3 })).toBe('winograd4');
    // The input gradient needs padding 2 - p >= 0.
    expect(conv2dAlgorithm(gpu, { ...base, pad: 3 }, 'backwardInput')).toBe('direct');
    // A 4x4 image is one padded tile: the transforms cost more than they save.
    expect(conv2dAlgorithm(gpu, { ...base, h: 4, w: 4 })).toBe('direct');
    expect(conv2dAlgorithm(gpu, { ...base, h: 4, w: 4 }, 'backwardInput')).toBe('direct');
    expect(conv2dAlgorithm(gpu, { ...base, h: 5, w: 4 })).toBe('winograd4');
    // EXIFLANG_WINOGRAD picks the tile 'auto' uses (precision vs speed), or turns Winograd off.
    const saved = process.env.EXIFLANG_WINOGRAD;
    try {
      process.env.EXIFLANG_WINOGRAD = '2';
      expect(conv2dAlgorithm(gpu, base)).toBe('winograd2');
      process.env.EXIFLANG_WINOGRAD = 'off';
      expect(conv2dAlgorithm(gpu, base)).toBe('direct');
      process.env.EXIFLANG_WINOGRAD = '3';
      expect(() => conv2dAlgorithm(gpu, base)).toThrow(/EXIFLANG_WINOGRAD/);
    } finally {
      if (saved === undefined) delete process.env.EXIFLANG_WINOGRAD;
      else process.env.EXIFLANG_WINOGRAD = saved;
    }
    expect(conv2dAlgorithm(gpu, base, 'forward', 'direct')).toBe('direct');
    expect(conv2dAlgorithm(gpu, base, 'forward', 'winograd2')).toBe('winograd2');
    expect(() => conv2dAlgorithm(gpu, { ...base, stride: 2 }, 'forward', 'winograd4')).toThrow(ShapeError);
  });
});
