import { describe, it, beforeAll, expect } from 'vitest';
import {
  getGpu, matmul, matmulRef, planMatmul, subgroupMatmulAvailable, ShapeError, testing,
  type Gpu, type MatmulOptions, type MatmulKernel,
} from '../src/index.ts';

let gpu: Gpu;
let kernels: MatmulKernel[] = ['tiled'];
beforeAll(async () => {
  gpu = await getGpu();
  if (subgroupMatmulAvailable(gpu)) kernels = ['tiled', 'subgroup'];
});

type Case = Omit<MatmulOptions, 'bias' | 'accumulate' | 'out'> & { bias?: boolean; accumulate?: boolean };

let seed = 1;

/** Runs one product on the GPU and checks it against the float64 reference. */
async function check(c: Case, expectChecked?: boolean): Promise<void> {
  const { M, N, K } = c;
  const batch = c.batch ?? 1;
  const a = testing.randUniform((c.broadcastA ? 1 : batch) * M * K, seed++);
  const b = testing.randUniform((c.broadcastB ? 1 : batch) * K * N, seed++);
  const bias = c.bias ? testing.randUniform(N, seed++) : undefined;
  const old = c.accumulate ? testing.randUniform(batch * M * N, seed++) : undefined;
  const ab = gpu.upload(a, 'a');
  const bb = gpu.upload(b, 'b');
  const biasB = bias ? gpu.upload(bias, 'bias') : undefined;
  const accB = old ? gpu.upload(old, 'acc') : undefined;
  const opts: MatmulOptions = { ...c, bias: biasB, accumulate: accB };
  if (expectChecked !== undefined) expect(planMatmul(gpu, opts).checked).toBe(expectChecked);
  const out = matmul(gpu, ab, bb, opts);
  if (accB) expect(out).toBe(accB);
  const got = await gpu.readF32(out);
  const want = matmulRef(a, b, { ...c, bias, accumulate: old });
  // f32 sums of K products of values in [-1, 1]: rounding grows like sqrt(K) * 6e-8 * |terms|;
  // a wrong index or a missed tile gives errors of order 0.1.
  const tol = 4e-6 * Math.sqrt(Math.max(K, 1)) + 1e-6;
  testing.assertClose(got.subarray(0, batch * M * N), want, { atol: tol, rtol: tol, label: JSON.stringify({ ...c, kernel: c.kernel }) });
  for (const x of [ab, bb, biasB]) x?.release();
  out.release();
}

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

describe('matmul, any shape (tiled kernel, scalar path)', () => {
  for (const [M, N, K] of [[1, 1, 1], [7, 13, 5], [33, 65, 17], [5, 9, 1], [1, 37, 19], [40, 3, 70]]) {
    it(`${M}x${N}x${K} in every transpose combination`, async () => {
      for (const [transA, transB] of TRANS) await check({ M, N, K, transA, transB, kernel: 'tiled' });
    });
  }
  it('K = 0 gives act(bias), empty output records nothing', async () => {
    await check({ M: 3, N: 5, K: 0, bias: true, activation: 'relu' });
    const a = gpu.upload(new Float32Array(4));
    const b = gpu.upload(new Float32Array(4));
    const out = matmul(gpu, a, b, { M: 0, N: 4, K: 1 });
    await gpu.sync();
    for (const x of [a, b, out]) x.release();
  });
});

describe('matmul, vec4 shapes', () => {
  it('chooses the vec4 view and the unchecked variant exactly when the shape allows', () => {
    const p = (o: MatmulOptions) => planMatmul(gpu, o);
    expect(p({ M: 64, N: 64, K: 32, kernel: 'tiled' })).toMatchObject({ vec4: true, checked: false });
    expect(p({ M: 36, N: 64, K: 32, kernel: 'tiled' })).toMatchObject({ vec4: true, checked: true });
    expect(p({ M: 64, N: 64, K: 30, kernel: 'tiled' }).vec4).toBe(false);
    expect(p({ M: 64, N: 64, K: 30, transA: true, kernel: 'tiled' }).vec4).toBe(true);
    expect(p({ M: 62, N: 64, K: 32, transA: true, kernel: 'tiled' }).vec4).toBe(false);
    expect(p({ M: 64, N: 64, K: 30, transB: true, kernel: 'tiled' }).vec4).toBe(false);
  });

  for (const [transA, transB] of TRANS) {
    it(`ragged blocks (36x20x12), transA=${transA} transB=${transB}, every kernel`, async () => {
      for (const kernel of kernels) await check({ M: 36, N: 20, K: 12, transA, transB, kernel }, true);
    });
    it(`aligned, no bounds checks, transA=${transA} transB=${transB}, every kernel`, async () => {
      await check({ M: 64, N: 64, K: 48, transA, transB, kernel: 'tiled' }, false);
      if (kernels.includes('subgroup')) {
        const blk = planMatmul(gpu, { M: 8, N: 8, K: 4, kernel: 'subgroup' }).block;
        await check({ M: 2 * blk[0], N: 2 * blk[1], K: 24, transA, transB, kernel: 'subgroup' }, false);
      }
    });
  }

  it('ragged K with transA (K is not a vec4 axis there)', async () => {
    for (const kernel of kernels) {
      await check({ M: 8, N: 12, K: 7, transA: true, kernel }, true);
      await check({ M: 40, N: 16, K: 33, transA: true, kernel }, true);
    }
  });

  it('M = 1 and K = 4', async () => {
    for (const kernel of kernels) {
      await check({ M: 1, N: 24, K: 16, kernel });
      await check({ M: 9, N: 8, K: 4, transB: true, kernel });
    }
  });
});

describe('matmul epilogue', () => {
  const shapes: Case[] = [
    { M: 7, N: 13, K: 5, kernel: 'tiled' }, // scalar path
    { M: 20, N: 36, K: 28 }, // vec4, each kernel below
  ];
  for (const act of ['none', 'relu', 'gelu', 'gelu_tanh'] as const) {
    it(`alpha, bias, ${act}`, async () => {
      for (const s of shapes) {
        for (const kernel of s.kernel ? [s.kernel] : kernels) {
          await check({ ...s, kernel, alpha: -1.75, bias: true, activation: act });
          await check({ ...s, kernel, transB: true, activation: act });
        }
      }
    });
  }
  it('accumulate adds the old C after the activation (and into the same buffer)', async () => {
    for (const s of shapes) {
      for (const kernel of s.kernel ? [s.kernel] : kernels) {
        await check({ ...s, kernel, accumulate: true });
        await check({ ...s, kernel, accumulate: true, bias: true, activation: 'gelu', transA: true, alpha: 0.5 });
      }
    }
  });
});

describe('matmul batch', () => {
  for (const [broadcastA, broadcastB] of [[false, false], [true, false], [false, true]]) {
    it(`batch 3, broadcastA=${broadcastA} broadcastB=${broadcastB}`, async () => {
      await check({ M: 7, N: 13, K: 5, batch: 3, broadcastA, broadcastB, transB: true, kernel: 'tiled' });
      for (const kernel of kernels) {
        await check({ M: 12, N: 16, K: 8, batch: 3, broadcastA, broadcastB, kernel, bias: true });
        await check({ M: 12, N: 16, K: 8, batch: 3, broadcastA, broadcastB, kernel, transA: true, accumulate: true });
      }
    });
  }
});

describe('matmul validation', () => {
  it('throws ShapeError before recording', () => {
    const a = gpu.upload(new Float32Array(6));
    const b = gpu.upload(new Float32Array(6));
    expect(() => matmul(gpu, a, b, { M: 2, N: 2, K: 4 })).toThrow(ShapeError);
    expect(() => matmul(gpu, a, b, { M: 2, N: 3, K: 3, batch: 2 })).toThrow(/holds 6 elements/);
    expect(() => matmul(gpu, a, b, { M: 2, N: 3, K: 2, out: a })).toThrow(/alias/);
    const [o1, o2] = [gpu.alloc(24), gpu.alloc(24)];
    expect(() => matmul(gpu, a, b, { M: 2, N: 3, K: 2, out: o1, accumulate: o2 })).toThrow(/either/);
    expect(() => matmul(gpu, a, b, { M: 2.5, N: 3, K: 2 })).toThrow(/integer/);
    const short = gpu.upload(new Float32Array(2));
    expect(() => matmul(gpu, a, b, { M: 2, N: 3, K: 2, bias: short })).toThrow(/bias/);
    for (const x of [a, b, o1, o2, short]) x.release();
  });
});
