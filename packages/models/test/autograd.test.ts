import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, type Gpu, testing } from '@exif-lang/kernels';
import { gradcheck, tensor, backward, scope, keep, noGrad, ops, type Tensor } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const r = (n: number, seed: number, lo = -1, hi = 1) => testing.randUniform(n, seed, lo, hi);
const pos = (n: number, seed: number) => testing.randUniform(n, seed, 0.5, 2);

describe('tape', () => {
  it('accumulates through a diamond and into existing .grad', async () => {
    const x = tensor(gpu, [1, 2, 3], [3]);
    x.requiresGrad = true;
    for (let rep = 0; rep < 2; rep++) {
      const loss = scope(() => {
        const a = ops.mul(x, x); // x^2
        const b = ops.scale(x, 3); // 3x
        return ops.sumAll(ops.add(a, b)); // sum(x^2 + 3x)
      });
      backward(loss);
      loss.dispose();
    }
    // d/dx = 2x + 3, accumulated twice
    testing.assertClose(await x.grad!.data(), [10, 14, 18], { atol: 1e-6 });
  });

  it('noGrad records nothing and scope frees temporaries', async () => {
    const x = tensor(gpu, [1, 2], [2]);
    x.requiresGrad = true;
    const before = gpu.poolStats().bytesInUse;
    const y = noGrad(() => scope(() => keep(ops.exp(ops.mul(x, x)))));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    y.dispose();
    expect(gpu.poolStats().bytesInUse).toBe(before);
  });

  it('frees saved tensors after backward', async () => {
    const x = tensor(gpu, r(64, 1), [8, 8]);
    x.requiresGrad = true;
    const before = gpu.poolStats().bytesInUse;
    const loss = scope(() => ops.sumAll(ops.exp(ops.tanh(ops.mul(x, x)))));
    backward(loss);
    loss.dispose();
    x.grad!.dispose();
    x.grad = null;
    expect(gpu.poolStats().bytesInUse).toBe(before);
  });
});

describe('gradcheck: element-wise', () => {
  const unaries: [string, (x: Tensor) => Tensor, Float32Array][] = [
    ['neg', ops.neg, r(11, 1)],
    ['exp', ops.exp, r(11, 2)],
    ['log', ops.log, pos(11, 3)],
    ['sqrt', ops.sqrt, pos(11, 4)],
    ['relu', ops.relu, r(11, 5)],
    ['gelu', ops.gelu, r(11, 6, -3, 3)],
    ['geluTanh', ops.geluTanh, r(11, 7, -3, 3)],
    ['tanh', ops.tanh, r(11, 8)],
    ['sigmoid', ops.sigmoid, r(11, 9, -4, 4)],
    ['reciprocal', ops.reciprocal, pos(11, 10)],
    ['square', ops.square, r(11, 11)],
    ['abs', ops.abs, r(11, 12)],
    ['clamp', (x) => ops.clamp(x, -0.5, 0.4), r(11, 13)],
    ['affine', (x) => ops.affine(x, -1.5, 0.25), r(11, 14)],
    ['powScalar', (x) => ops.powScalar(x, 2.5), pos(11, 15)],
  ];
  for (const [name, fn, data] of unaries) {
    it(name, async () => {
      // keep points away from kinks (relu/abs at 0, clamp at its bounds) so differences are valid
      for (let i = 0; i < data.length; i++) if (Math.abs(data[i]) < 0.05 || Math.abs(data[i] + 0.5) < 0.03 || Math.abs(data[i] - 0.4) < 0.03) data[i] += 0.1;
      await gradcheck(gpu, fn, [{ data, shape: [11] }], { label: name });
    });
  }

  const binaries: [string, (a: Tensor, b: Tensor) => Tensor, number[], number[]][] = [
    ['add same', ops.add, [3, 5], [3, 5]],
    ['add row broadcast', ops.add, [3, 5], [5]],
    ['sub col broadcast', ops.sub, [3, 1, 5], [4, 1]],
    ['mul broadcast both', ops.mul, [3, 1, 5], [4, 1]],
    ['div', ops.div, [2, 3], [2, 3]],
    ['div scalar-like', ops.div, [2, 3], [1]],
    ['maximum', ops.maximum, [7], [7]],
    ['minimum broadcast', ops.minimum, [2, 7], [7]],
  ];
  for (const [name, fn, sa, sb] of binaries) {
    it(name, async () => {
      const na = sa.reduce((p, d) => p * d, 1);
      const nb = sb.reduce((p, d) => p * d, 1);
      const b = name.startsWith('div') ? pos(nb, 22) : r(nb, 21);
      await gradcheck(gpu, fn, [{ data: r(na, 20), shape: sa }, { data: b, shape: sb }], { label: name, eps: name.includes('max') || name.includes('min') ? 1e-3 : 1e-2 });
    });
  }
});

describe('gradcheck: reductions and views', () => {
  it('sum/mean/max over each axis', async () => {
    const shape = [3, 4, 5];
    const data = r(60, 30);
    for (const axis of [0, 1, -1]) {
      await gradcheck(gpu, (x) => ops.sum(x, axis), [{ data, shape }], { label: `sum ${axis}` });
      await gradcheck(gpu, (x) => ops.mean(x, axis, true), [{ data, shape }], { label: `mean ${axis}` });
      await gradcheck(gpu, (x) => ops.max(x, axis), [{ data, shape }], { label: `max ${axis}`, eps: 1e-3 });
    }
  });
  it('sumAll / meanAll / reshape', async () => {
    await gradcheck(gpu, (x) => ops.meanAll(ops.reshape(ops.square(x), [5, -1])), [{ data: r(20, 31), shape: [4, 5] }]);
  });
});
