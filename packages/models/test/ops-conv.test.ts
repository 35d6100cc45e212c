import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, type Gpu, testing, conv2dRef } from '@exif-lang/kernels';
import { gradcheck, tensor, noGrad, scope, keep, ops, nn } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const r = (n: number, seed: number) => testing.randUniform(n, seed);
const n = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

describe('conv2d op', () => {
  // [x NHWC, w HWIO, stride, padding, dilation, bias]: odd sizes; stride 2 with a ragged edge; dilation.
  const cases: [number[], number[], number, number, number, boolean][] = [
    [[2, 5, 6, 3], [3, 3, 3, 4], 1, 1, 1, true],
    [[1, 7, 6, 2], [3, 3, 2, 5], 2, 1, 1, false],
    [[2, 5, 5, 3], [1, 1, 3, 2], 2, 0, 1, false],
    [[1, 7, 7, 2], [3, 3, 2, 3], 1, 2, 2, true],
    [[1, 9, 8, 3], [7, 7, 3, 2], 2, 3, 1, false],
  ];
  for (const [xs, ws, stride, padding, dilation, bias] of cases) {
    it(`x [${xs}] w [${ws}] s${stride} p${padding} d${dilation}${bias ? ' +bias' : ''}`, async () => {
      const inputs = [
        { data: r(n(xs), 1), shape: xs },
        { data: r(n(ws), 2), shape: ws },
        ...(bias ? [{ data: r(ws[3], 3), shape: [ws[3]] }] : []),
      ];
      const args = { stride, padding, dilation };
      // forward against the float64 reference
      const y = noGrad(() => scope(() => keep(ops.conv2d(tensor(gpu, inputs[0].data, xs), tensor(gpu, inputs[1].data, ws), bias ? tensor(gpu, inputs[2].data, [ws[3]]) : null, args))));
      const ref = conv2dRef(inputs[0].data, inputs[1].data, { n: xs[0], h: xs[1], w: xs[2], cin: xs[3], cout: ws[3], kh: ws[0], kw: ws[1], stride, pad: padding, dilation });
      const b = bias ? inputs[2].data : null;
      testing.assertClose(await y.data(), b ? ref.map((v, i) => v + b[i % ws[3]]) : ref, { atol: 1e-5 });
      y.dispose();
      await gradcheck(gpu, (x, w, bb) => ops.conv2d(x, w, bb ?? null, args), inputs, { maxElements: 10 });
    });
  }
});

describe('nn.Conv2d', () => {
  it('state dict in OIHW; load round trip through the HWIO layout', async () => {
    const c = new nn.Conv2d(gpu, 3, 5, [3, 2], { seed: 7, init: 'kaiming_fan_out' });
    expect(c.weight.shape).toEqual([3, 2, 3, 5]);
    const sd = await c.stateDict();
    const w = sd.get('weight')!;
    expect(w.shape).toEqual([5, 3, 3, 2]);
    // the OIHW element (o, i, y, x) is the HWIO element (y, x, i, o)
    const hwio = await c.weight.data();
    const oihw = w.data as Float32Array;
    expect(oihw[((4 * 3 + 1) * 3 + 2) * 2 + 1]).toBe(hwio[((2 * 2 + 1) * 3 + 1) * 5 + 4]);
    const std = Math.sqrt(oihw.reduce((s, v) => s + v * v, 0) / oihw.length);
    expect(std).toBeGreaterThan(0.5 * Math.sqrt(2 / 30));
    const d = new nn.Conv2d(gpu, 3, 5, [3, 2], { seed: 8 });
    d.loadStateDict(sd);
    expect(Array.from(await d.weight.data())).toEqual(Array.from(hwio));
    c.dispose();
    d.dispose();
  });
});
