import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, unary, unaryBackward, unaryGradRef, UNARY_OPS, UNARY_GRAD_SAVES, type Gpu, type UnaryOp, testing } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const N = 1000 + 37; // odd, not a multiple of the workgroup size
const CLAMP: [number, number] = [-1.5, 2.25];
const AFFINE: [number, number] = [-0.75, 0.3];

/** Points in [-5, 5] kept 0.02 away from the kinks (0 for relu/abs, the clamp ends). */
function inputFor(op: UnaryOp): Float32Array {
  const x = testing.randUniform(N, 11, -5, 5);
  const kinks = op === 'clamp' ? CLAMP : [0];
  for (let i = 0; i < N; i++) {
    if (op === 'log' || op === 'sqrt' || op === 'reciprocal') x[i] = Math.abs(x[i]) + 0.05;
    for (const k of kinks) if (Math.abs(x[i] - k) < 0.02) x[i] = k + 0.05;
  }
  return x;
}

async function runOp(op: UnaryOp, x: Float32Array, dy: Float32Array, inPlace: boolean): Promise<Float32Array> {
  const [a, b] = op === 'clamp' ? CLAMP : op === 'affine' ? AFFINE : [0, 0];
  const n = x.length;
  const xb = gpu.upload(x, 'x');
  const yb = unary(gpu, op, xb, n, { a, b });
  const dyb = gpu.upload(dy, 'dy');
  const dx = unaryBackward(gpu, op, dyb, n, { x: xb, y: yb, a, b, out: inPlace ? dyb : undefined });
  const got = await gpu.readF32(dx);
  for (const buf of new Set([xb, yb, dyb, dx])) buf.release();
  return got;
}

describe('unary backward vs analytic float64 derivative', () => {
  for (const op of Object.keys(UNARY_OPS) as UnaryOp[]) {
    it(`${op} (saves ${UNARY_GRAD_SAVES[op] ?? 'nothing'})`, async () => {
      const x = inputFor(op);
      const dy = testing.randUniform(N, 5, -2, 2);
      const [a, b] = op === 'clamp' ? CLAMP : op === 'affine' ? AFFINE : [0, 0];
      const got = await runOp(op, x, dy, false);
      const want = Array.from(x, (v, i) => unaryGradRef(op, v, dy[i], a, b));
      // Ops written in y inherit y's f32 rounding (~1 ulp); erf/tanh approximations ~1e-7.
      testing.assertClose(got, want, { atol: 2e-6, rtol: 4e-6, label: `${op}'` });
    });
  }

  it('in place over dy, and PyTorch subgradients at the kinks', async () => {
    const x = new Float32Array([0, -0, 2, -3, CLAMP[0], CLAMP[1], 1]);
    const dy = new Float32Array([1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
    expect(Array.from(await runOp('relu', x, dy, true))).toEqual([0, 0, 1.5, 0, 0, 1.5, 1.5]);
    expect(Array.from(await runOp('abs', x, dy, true))).toEqual([0, 0, 1.5, -1.5, -1.5, 1.5, 1.5]);
    // clamp passes the gradient at both ends (x == min, x == max), as torch.clamp does.
    expect(Array.from(await runOp('clamp', x, dy, true))).toEqual([1.5, 1.5, 1.5, 0, 1.5, 1.5, 1.5]);
    const g = await runOp('gelu_tanh', new Float32Array(x), dy, true);
    testing.assertClose(g, Array.from(x, (v) => unaryGradRef('gelu_tanh', v, 1.5)), { atol: 2e-6, rtol: 4e-6 });
  });

  it('gelu derivatives in the tails (large |x|) stay finite and accurate', async () => {
    const x = new Float32Array([-12, -9, -6.5, -4, 4, 6.5, 9, 12]);
    const dy = new Float32Array(x.length).fill(1);
    for (const op of ['gelu', 'gelu_tanh', 'tanh', 'sigmoid'] as UnaryOp[]) {
      const got = await runOp(op, x, dy, false);
      testing.assertClose(got, Array.from(x, (v) => unaryGradRef(op, v, 1)), { atol: 2e-6, rtol: 4e-6, label: op });
    }
  });

  it('rejects a missing saved tensor', () => {
    const d = gpu.alloc(16);
    expect(() => unaryBackward(gpu, 'exp', d, 4, { x: d })).toThrow(/forward output y/);
    expect(() => unaryBackward(gpu, 'square', d, 4, { x: d, out: d })).toThrow(/alias/);
    d.release();
  });
});
