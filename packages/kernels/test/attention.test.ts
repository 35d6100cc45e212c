import { describe, it, beforeAll, expect } from 'vitest';
import {
  getGpu,
  attentionForward,
  attentionBackward,
  attentionForwardRef,
  attentionBackwardRef,
  ShapeError,
  type Gpu,
  type GpuBuffer,
  type AttentionShape,
  type AttentionKernel,
  type AttentionDropout,
  attentionKernelFor,
  testing,
} from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

/** mask[b][t] as a flat u32 array from a per-batch count of real tokens (the rest is padding). */
function lengthsMask(s: AttentionShape, lengths: number[]): Uint32Array {
  const m = new Uint32Array(s.B * s.T);
  for (let b = 0; b < s.B; b++) for (let t = 0; t < s.T; t++) m[b * s.T + t] = t < lengths[b] ? 1 : 0;
  return m;
}

interface Case {
  shape: AttentionShape;
  mask: Uint32Array;
  scale?: number;
  seed: number;
  /** Force an implementation (default: what this device picks for D). */
  kernel?: AttentionKernel;
  dropout?: AttentionDropout;
}

/**
 * Tolerances: f32 sums of at most a few hundred O(1) terms; the worst absolute error seen is a
 * few 1e-7, so 2e-5 absolute + 1e-4 relative still catches any indexing slip (which moves
 * values by O(1)).
 */
const TOL = { atol: 2e-5, rtol: 1e-4 };

async function runCase(c: Case): Promise<void> {
  const { shape: s, mask, scale, seed, kernel, dropout } = c;
  const n = s.B * s.T * s.H * s.D;
  const q = testing.randNormal(n, seed);
  const k = testing.randNormal(n, seed + 1);
  const v = testing.randNormal(n, seed + 2);
  const dOut = testing.randNormal(n, seed + 3);
  const bufs: GpuBuffer[] = [];
  const up = (x: Float32Array | Uint32Array, label: string) => {
    const b = gpu.upload(x, label);
    bufs.push(b);
    return b;
  };
  const inputs = { q: up(q, 'q'), k: up(k, 'k'), v: up(v, 'v'), mask: up(mask, 'mask') };
  const fwd = attentionForward(gpu, inputs, s, { scale, kernel, dropout });
  const grads = attentionBackward(gpu, { ...inputs, out: fwd.out, lse: fwd.lse, dOut: up(dOut, 'dOut') }, s, { scale, kernel, dropout });
  const [out, lse, dq, dk, dv] = await Promise.all([fwd.out, fwd.lse, grads.dq, grads.dk, grads.dv].map((b) => gpu.readF32(b)));

  const ref = attentionForwardRef(q, k, v, mask, s, scale, dropout);
  const g = attentionBackwardRef(q, k, v, mask, dOut, s, scale, dropout);
  const label = `B=${s.B} T=${s.T} H=${s.H} D=${s.D} ${attentionKernelFor(gpu, s.D, kernel)}${dropout ? ` dropout ${dropout.p}` : ''}`;
  testing.assertClose(out, ref.out, { ...TOL, label: `${label} out` });
  // +Infinity marks rows without keys; compare those exactly and the rest numerically.
  for (let i = 0; i < lse.length; i++) {
    if (ref.lse[i] === Infinity) {
      expect(lse[i], `${label} lse[${i}]`).toBe(Infinity);
      lse[i] = 0;
      ref.lse[i] = 0;
    }
  }
  testing.assertClose(lse, ref.lse, { ...TOL, label: `${label} lse` });
  testing.assertClose(dq, g.dq, { ...TOL, label: `${label} dq` });
  testing.assertClose(dk, g.dk, { ...TOL, label: `${label} dk` });
  testing.assertClose(dv, g.dv, { ...TOL, label: `${label} dv` });
  for (const b of [...bufs, fwd.out, fwd.lse, grads.dq, grads.dk, grads.dv]) b.release();
}

describe('attention reference', () => {
  it('analytic gradients match float64 central differences', () => {
    const s = { B: 2, T: 4, H: 2, D: 3 };
    const n = s.B * s.T * s.H * s.D;
    const mask = lengthsMask(s, [3, 4]);
    const q = Array.from(testing.randNormal(n, 11));
    const k = Array.from(testing.randNormal(n, 12));
    const v = Array.from(testing.randNormal(n, 13));
    const dOut = Array.from(testing.randNormal(n, 14));
    const scale = 0.7;
    const loss = (qq: number[], kk: number[], vv: number[]) => {
      const { out } = attentionForwardRef(qq, kk, vv, mask, s, scale);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += out[i] * dOut[i];
      return sum;
    };
    const g = attentionBackwardRef(q, k, v, mask, dOut, s, scale);
    const h = 1e-6;
    const numeric = (which: 0 | 1 | 2) => {
      const res = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const args = [q.slice(), k.slice(), v.slice()];
        args[which][i] += h;
        const up = loss(args[0], args[1], args[2]);
        args[which][i] -= 2 * h;
        const down = loss(args[0], args[1], args[2]);
        res[i] = (up - down) / (2 * h);
      }
      return res;
    };
    testing.assertClose(g.dq, numeric(0), { atol: 1e-8, rtol: 1e-6, label: 'ref dq' });
    testing.assertClose(g.dk, numeric(1), { atol: 1e-8, rtol: 1e-6, label: 'ref dk' });
    testing.assertClose(g.dv, numeric(2), { atol: 1e-8, rtol: 1e-6, label: 'ref dv' });
    // The padded key (b = 0, t = 3) gets no gradient.
    for (let h2 = 0; h2 < s.H; h2++) for (let d = 0; d < s.D; d++) expect(g.dk[((0 * s.T + 3) * s.H + h2) * s.D + d]).toBe(0);
  });
});

describe('attention reference with dropout', () => {
  const s = { B: 2, T: 5, H: 2, D: 3 };
  const n = s.B * s.T * s.H * s.D;
  const mask = lengthsMask(s, [4, 5]);
  const dropout = { p: 0.4, seed: [7, 3] as const };

  it('drops about p of the probabilities and rescales the rest (output differs from no dropout)', () => {
    const q = testing.randNormal(n, 21);
    const k = testing.randNormal(n, 22);
    const v = testing.randNormal(n, 23);
    const plain = attentionForwardRef(q, k, v, mask, s, 0.8);
    const dropped = attentionForwardRef(q, k, v, mask, s, 0.8, dropout);
    expect(Array.from(dropped.lse)).toEqual(Array.from(plain.lse)); // statistics of the undropped P
    let differ = 0;
    for (let i = 0; i < n; i++) if (Math.abs(dropped.out[i] - plain.out[i]) > 1e-9) differ++;
    expect(differ).toBeGreaterThan(n / 2);
    // p = 0 is no dropout at all.
    expect(Array.from(attentionForwardRef(q, k, v, mask, s, 0.8, { p: 0, seed: [7, 3] }).out)).toEqual(Array.from(plain.out));
  });

  it('analytic gradients with a fixed mask match float64 central differences', () => {
    const q = Array.from(testing.randNormal(n, 31));
    const k = Array.from(testing.randNormal(n, 32));
    const v = Array.from(testing.randNormal(n, 33));
    const dOut = Array.from(testing.randNormal(n, 34));
    const loss = (qq: number[], kk: number[], vv: number[]) => {
      const { out } = attentionForwardRef(qq, kk, vv, mask, s, 0.8, dropout);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += out[i] * dOut[i];
      return sum;
    };
    const g = attentionBackwardRef(q, k, v, mask, dOut, s, 0.8, dropout);
    const h = 1e-6;
    const numeric = (which: 0 | 1 | 2) =>
      Float64Array.from({ length: n }, (_, i) => {
        const args = [q.slice(), k.slice(), v.slice()];
        args[which][i] += h;
        const up = loss(args[0], args[1], args[2]);
        args[which][i] -= 2 * h;
        return (up - loss(args[0], args[1], args[2])) / (2 * h);
      });
    testing.assertClose(g.dq, numeric(0), { atol: 1e-8, rtol: 1e-6, label: 'ref dq (dropout)' });
    testing.assertClose(g.dk, numeric(1), { atol: 1e-8, rtol: 1e-6, label: 'ref dk (dropout)' });
    testing.assertClose(g.dv, numeric(2), { atol: 1e-8, rtol: 1e-6, label: 'ref dv (dropout)' });
  });
});

describe('attention forward + backward vs float64', () => {
  it('B=2 T=7 H=3 D=5, no padding', async () => {
    const s = { B: 2, T: 7, H: 3, D: 5 };
    await runCase({ shape: s, mask: lengthsMask(s, [7, 7]), seed: 1 });
  });

  it('B=2 T=7 H=3 D=5, padded keys and a custom scale', async () => {
    const s = { B: 2, T: 7, H: 3, D: 5 };
    const mask = lengthsMask(s, [4, 7]);
    mask[7 + 2] = 0; // a hole in the middle of the second sequence
    await runCase({ shape: s, mask, scale: 0.9, seed: 2 });
  });

  it('T=1 (single token)', async () => {
    const s = { B: 3, T: 1, H: 2, D: 8 };
    await runCase({ shape: s, mask: lengthsMask(s, [1, 1, 1]), seed: 3 });
  });

  it('D=64 T=37 with padding', async () => {
    const s = { B: 2, T: 37, H: 2, D: 64 };
    await runCase({ shape: s, mask: lengthsMask(s, [37, 23]), seed: 4 });
  });

  it('T=70 spans several key and query blocks, D=128', async () => {
    const s = { B: 1, T: 70, H: 1, D: 128 };
    await runCase({ shape: s, mask: lengthsMask(s, [66]), seed: 5 });
  });

  it('T=300 (long sequence), D=32', async () => {
    const s = { B: 1, T: 300, H: 1, D: 32 };
    await runCase({ shape: s, mask: lengthsMask(s, [290]), seed: 11 });
  });

  it('a fully padded sequence: out 0, lse +inf, zero gradients, no NaN', async () => {
    const s = { B: 3, T: 9, H: 2, D: 6 };
    await runCase({ shape: s, mask: lengthsMask(s, [5, 0, 9]), seed: 6 });
  });

  it('a fully padded sequence with D a multiple of 4 (subgroup kernels on lavapipe)', async () => {
    const s = { B: 3, T: 11, H: 2, D: 12 };
    await runCase({ shape: s, mask: lengthsMask(s, [0, 4, 11]), seed: 10 });
  });

  it('large logits (scale 8) stay finite and exact', async () => {
    const s = { B: 1, T: 19, H: 2, D: 16 };
    await runCase({ shape: s, mask: lengthsMask(s, [17]), scale: 8 / Math.sqrt(16), seed: 7 });
  });
});

describe('attention with fused dropout vs float64 (same mask as dropout on the probabilities)', () => {
  it('D=64 T=37 with padding, p=0.1 (subgroup kernels on lavapipe)', async () => {
    const s = { B: 2, T: 37, H: 2, D: 64 };
    await runCase({ shape: s, mask: lengthsMask(s, [37, 23]), seed: 12, dropout: { p: 0.1, seed: [5, 1] } });
  });

  it('D=12 T=11, p=0.5, a fully padded sequence', async () => {
    const s = { B: 3, T: 11, H: 2, D: 12 };
    await runCase({ shape: s, mask: lengthsMask(s, [0, 4, 11]), seed: 13, dropout: { p: 0.5, seed: [0xffffffff, 9] } });
  });

  it('D=5 (portable kernels), padded keys, p=0.3', async () => {
    const s = { B: 2, T: 7, H: 3, D: 5 };
    await runCase({ shape: s, mask: lengthsMask(s, [4, 7]), scale: 0.9, seed: 14, dropout: { p: 0.3, seed: [2, 2] } });
  });

  it('T=70 over several blocks, D=128 (portable), p=0.2', async () => {
    const s = { B: 1, T: 70, H: 1, D: 128 };
    await runCase({ shape: s, mask: lengthsMask(s, [66]), seed: 15, dropout: { p: 0.2, seed: [3, 4] } });
  });

  it('portable kernels forced, D=64 T=37, p=0.1', async () => {
    const s = { B: 2, T: 37, H: 2, D: 64 };
    await runCase({ shape: s, mask: lengthsMask(s, [37, 23]), seed: 16, kernel: 'portable', dropout: { p: 0.1, seed: [5, 1] } });
  });

  it('rejects p = 1, a bad seed, and more probabilities than a u32 index reaches', () => {
    const s = { B: 1, T: 4, H: 1, D: 4 };
    const x = gpu.alloc(16 * 4);
    const mask = gpu.alloc(4 * 4);
    const inputs = { q: x, k: x, v: x, mask };
    expect(() => attentionForward(gpu, inputs, s, { dropout: { p: 1, seed: [0, 0] } })).toThrow(/dropout p 1 is not in \[0, 1\)/);
    expect(() => attentionForward(gpu, inputs, s, { dropout: { p: 0.1, seed: [-1, 0] } })).toThrow(/not two u32 words/);
    const big = { B: 1, T: 65537, H: 1, D: 4 };
    const bigInputs = { q: gpu.alloc(65537 * 16), k: gpu.alloc(65537 * 16), v: gpu.alloc(65537 * 16), mask: gpu.alloc(65537 * 4) };
    expect(() => attentionForward(gpu, bigInputs, big, { dropout: { p: 0.1, seed: [0, 0] } })).toThrow(/at most 2\^32/);
    for (const b of [x, mask, ...Object.values(bigInputs)]) b.release();
  });
});

// The workgroup-memory kernels are what GPUs run; on lavapipe the subgroup ones are picked for
// D a multiple of 4 up to 64, so the portable path is forced here for such shapes.
describe('attention portable kernels (forced)', () => {
  it('D=64 T=37 with padding', async () => {
    const s = { B: 2, T: 37, H: 2, D: 64 };
    await runCase({ shape: s, mask: lengthsMask(s, [37, 23]), seed: 8, kernel: 'portable' });
  });

  it('a fully padded sequence, D=8', async () => {
    const s = { B: 2, T: 9, H: 1, D: 8 };
    await runCase({ shape: s, mask: lengthsMask(s, [0, 6]), seed: 9, kernel: 'portable' });
  });
});

describe('attention launcher', () => {
  it('rejects bad shapes before touching the GPU', () => {
    const b = gpu.alloc(4 * 10, 'small');
    const inputs = { q: b, k: b, v: b, mask: b };
    expect(() => attentionForward(gpu, inputs, { B: 1, T: 5, H: 1, D: 4 })).toThrow(ShapeError);
    expect(() => attentionForward(gpu, inputs, { B: 1, T: 1, H: 1, D: 129 })).toThrow(/head dim/);
    b.release();
  });
});
