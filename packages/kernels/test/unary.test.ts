import { describe, it, beforeAll } from 'vitest';
import { getGpu, unary, unaryRef, UNARY_OPS, type Gpu, type UnaryOp, testing } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

// Odd length, not a multiple of the workgroup size.
const N = 1000 + 37;

function inputFor(op: UnaryOp): Float32Array {
  const x = testing.randUniform(N, 7, -6, 6);
  // tails: GELU's left tail is tiny but must stay accurate relatively; tanh near 0 and near +-1
  x.set([-9, -7.5, -5, -3.3, 1e-3, -2e-4, 4, 8.5], 1);
  if (op === 'log' || op === 'sqrt' || op === 'reciprocal') for (let i = 0; i < N; i++) x[i] = Math.abs(x[i]) + 0.05;
  x[0] = 0.5; // exactly representable anchor
  return x;
}

describe('unary', () => {
  for (const op of Object.keys(UNARY_OPS) as UnaryOp[]) {
    it(op, async () => {
      const x = inputFor(op);
      const xb = gpu.upload(x, 'x');
      const [a, b] = op === 'clamp' ? [-1.5, 2.25] : op === 'affine' ? [-0.75, 0.3] : [0, 0];
      const y = unary(gpu, op, xb, N, { a, b });
      const got = await gpu.readF32(y);
      const want = Array.from(x, (v) => unaryRef(op, v, a, b));
      // exp of the widened range reaches ~4900: f32 rounding dominates there.
      testing.assertClose(got, want, { atol: op === 'gelu' || op === 'gelu_tanh' ? 1e-12 : 2e-6, rtol: op === 'exp' ? 4e-6 : 2e-6, label: op });
      xb.release();
      y.release();
    });
  }

  it('large 2-D grid launch covers every element', async () => {
    const n = 65535 * 256 + 513;
    const x = testing.randUniform(n, 3);
    const xb = gpu.upload(x);
    const y = unary(gpu, 'neg', xb, n);
    const got = await gpu.readF32(y);
    for (let i = 0; i < n; i += 9973) if (got[i] !== -x[i]) throw new Error(`index ${i}`);
    if (got[n - 1] !== -x[n - 1]) throw new Error('last element');
    xb.release();
    y.release();
  });

  it('in place (out aliases x) and empty input', async () => {
    const x = testing.randUniform(33, 1);
    const xb = gpu.upload(x);
    unary(gpu, 'square', xb, 33, { out: xb });
    const got = await gpu.readF32(xb);
    testing.assertClose(got, Array.from(x, (v) => v * v), { atol: 1e-7, rtol: 1e-6 });
    unary(gpu, 'neg', xb, 0);
    await gpu.sync();
    xb.release();
  });
});
