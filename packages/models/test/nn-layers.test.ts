import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, type Gpu, testing } from '@exif-lang/kernels';
import { gradcheck, tensor, noGrad, scope, keep, ops, nn, backward, type Tensor } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const r = (n: number, seed: number) => testing.randUniform(n, seed);
const n = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const shapes = async (m: nn.Module) => [...(await m.stateDict())].map(([k, t]) => `${k}:${t.shape.join('x')}`);

describe('Linear', () => {
  it('names, torch init bound, deterministic per seed', async () => {
    const a = new nn.Linear(gpu, 50, 7, { seed: 3 });
    expect(await shapes(a)).toEqual(['weight:7x50', 'bias:7']);
    const w = await a.weight.data();
    const bound = 1 / Math.sqrt(50);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    const b = new nn.Linear(gpu, 50, 7, { seed: 3 });
    const c = new nn.Linear(gpu, 50, 7, { seed: 4 });
    expect(Array.from(await b.weight.data())).toEqual(Array.from(w));
    expect(Array.from(await c.weight.data())).not.toEqual(Array.from(w));
    const h = new nn.Linear(gpu, 400, 300, { init: 'hf', bias: true });
    const hw = await h.weight.data();
    const std = Math.sqrt(hw.reduce((s, v) => s + v * v, 0) / hw.length);
    expect(std).toBeCloseTo(0.02, 3);
    expect(Array.from(await h.bias!.data()).every((v) => v === 0)).toBe(true);
    for (const m of [a, b, c, h]) m.dispose();
  });

  it('fused GELU epilogue in inference equals linear + gelu', async () => {
    const m = new nn.Linear(gpu, 6, 5, { seed: 1 });
    const x = tensor(gpu, r(18, 2), [3, 6]);
    const fused = noGrad(() => scope(() => keep(m.forward(x, 'gelu'))));
    const plain = scope(() => keep(ops.gelu(m.forward(x))));
    testing.assertClose(await fused.data(), await plain.data(), { atol: 1e-6 });
    for (const t of [fused, plain, x]) t.dispose();
    m.dispose();
  });
});

describe('BatchNorm2d', () => {
  it('state dict in PyTorch order; train updates running stats and the counter, eval does not', async () => {
    const bn = new nn.BatchNorm2d(gpu, 3);
    expect(await shapes(bn)).toEqual(['weight:3', 'bias:3', 'running_mean:3', 'running_var:3', 'num_batches_tracked:']);
    const x = tensor(gpu, r(2 * 2 * 2 * 3, 5), [2, 2, 2, 3]);
    scope(() => bn.forward(x));
    expect(bn.numBatchesTracked.value).toBe(1);
    const data = await x.data();
    const mean = [0, 1, 2].map((c) => data.filter((_, i) => i % 3 === c).reduce((s, v) => s + v, 0) / 8);
    testing.assertClose(await bn.runningMean.data(), mean.map((m) => 0.1 * m), { atol: 1e-6 });
    bn.eval();
    const y = scope(() => keep(bn.forward(x, true)));
    expect(bn.numBatchesTracked.value).toBe(1);
    expect(Array.from(await y.data()).every((v) => v >= 0)).toBe(true);
    const sd = await bn.stateDict();
    expect(sd.get('num_batches_tracked')!.dtype).toBe('I64');
    for (const t of [x, y]) t.dispose();
    bn.dispose();
  });
});

describe('Embedding, Dropout, Sequential', () => {
  it('padding row starts at zero', async () => {
    const e = new nn.Embedding(gpu, 4, 3, { paddingIdx: 2, init: 'hf', seed: 1 });
    const w = await e.weight.data();
    expect(Array.from(w.subarray(6, 9))).toEqual([0, 0, 0]);
    expect(w.filter((v) => v !== 0).length).toBe(9);
    e.dispose();
  });

  it('Dropout: new mask per training call, identity in eval', async () => {
    const d = new nn.Dropout(gpu, 0.5, 9);
    const x = tensor(gpu, new Float32Array(64).fill(1), [64]);
    const [a, b] = [scope(() => keep(d.forward(x))), scope(() => keep(d.forward(x)))];
    const [va, vb] = [await a.data(), await b.data()];
    expect(Array.from(va)).not.toEqual(Array.from(vb));
    expect(d.calls).toBe(2);
    d.calls = 0; // replay
    const c = scope(() => keep(d.forward(x)));
    expect(Array.from(await c.data())).toEqual(Array.from(va));
    d.eval();
    const e = scope(() => keep(d.forward(x)));
    expect(Array.from(await e.data()).every((v) => v === 1)).toBe(true);
    for (const t of [a, b, c, e, x]) t.dispose();
  });

  it('Sequential names children 0, 1, ... and chains them', async () => {
    const s = new nn.Sequential(gpu, [new nn.Linear(gpu, 4, 5, { seed: 1 }), new nn.LayerNorm(gpu, 5), new nn.Linear(gpu, 5, 2, { bias: false, seed: 2 })]);
    expect(await shapes(s)).toEqual(['0.weight:5x4', '0.bias:5', '1.weight:5', '1.bias:5', '2.weight:2x5']);
    const x = tensor(gpu, r(8, 3), [2, 4]);
    const y = scope(() => keep(s.forward(x)));
    expect(y.shape).toEqual([2, 2]);
    for (const t of [x, y]) t.dispose();
    s.dispose();
  });
});

describe('attention layers', () => {
  const B = 2;
  const T = 5;
  const D = 6;
  const maskData = Uint32Array.from([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);

  it('MultiHeadAttention: DistilBERT names; unfused path equals the fused kernel', async () => {
    const m = new nn.MultiHeadAttention(gpu, D, 2, { seed: 5 });
    expect((await shapes(m)).join(' ')).toBe('q_lin.weight:6x6 q_lin.bias:6 k_lin.weight:6x6 k_lin.bias:6 v_lin.weight:6x6 v_lin.bias:6 out_lin.weight:6x6 out_lin.bias:6');
    const shape = [B, T, 2, 3];
    const [q, k, v] = [1, 2, 3].map((s) => tensor(gpu, r(n(shape), s), shape));
    const mask = tensor(gpu, maskData, [B, T], 'u32');
    const fused = scope(() => keep(ops.attention(q, k, v, mask, 0.4)));
    const unfused = scope(() => keep(nn.unfusedAttention(q, k, v, mask, 0.4)));
    testing.assertClose(await unfused.data(), await fused.data(), { atol: 1e-6 });
    for (const t of [fused, unfused, q, k, v, mask]) t.dispose();
    m.dispose();
  });

  it('gradcheck: unfused attention with dropout on the probabilities', async () => {
    const shape = [B, T, 2, 3];
    const mask = tensor(gpu, maskData, [B, T], 'u32');
    await gradcheck(gpu, (q, k, v) => nn.unfusedAttention(q, k, v, mask, 0.5, (p) => ops.dropout(p, 0.3, [4, 4], true)), [
      { data: r(n(shape), 4), shape },
      { data: r(n(shape), 5), shape },
      { data: r(n(shape), 6), shape },
    ], { maxElements: 8 });
    mask.dispose();
  });

  it('fused attention dropout draws the unfused path\'s mask: same output and gradients (head dims 3 and 4)', async () => {
    for (const hd of [3, 4]) {
      const shape = [B, T, 2, hd];
      const [q, k, v, gy] = [1, 2, 3, 4].map((s) => tensor(gpu, r(n(shape), 10 + s), shape));
      for (const t of [q, k, v]) t.requiresGrad = true;
      const mask = tensor(gpu, maskData, [B, T], 'u32');
      const run = async (fused: boolean) => {
        for (const t of [q, k, v]) {
          t.grad?.dispose();
          t.grad = null;
        }
        const y = scope(() => {
          const out = fused
            ? ops.attention(q, k, v, mask, 0.6, { p: 0.3, seed: [8, 2] })
            : nn.unfusedAttention(q, k, v, mask, 0.6, (pr) => ops.dropout(pr, 0.3, [8, 2], true));
          backward(ops.sumAll(ops.mul(out, gy)));
          return keep(out);
        });
        const res = [await y.data(), ...(await Promise.all([q, k, v].map((t) => t.grad!.data())))];
        y.dispose();
        return res;
      };
      const [f, u] = [await run(true), await run(false)];
      ['out', 'dq', 'dk', 'dv'].forEach((what, i) => testing.assertClose(f[i], u[i], { atol: 2e-6, rtol: 1e-5, label: `head dim ${hd} ${what}` }));
      // and the dropout did something: without it the output differs
      const plain = scope(() => keep(ops.attention(q, k, v, mask, 0.6)));
      expect(Math.max(...Array.from(await plain.data(), (x, i) => Math.abs(x - f[0][i])))).toBeGreaterThan(1e-2);
      for (const t of [plain, q, k, v, gy, mask]) t.dispose();
    }
  });

  it('gradcheck: fused attention with dropout', async () => {
    const shape = [B, T, 2, 4];
    const mask = tensor(gpu, maskData, [B, T], 'u32');
    await gradcheck(gpu, (q, k, v) => ops.attention(q, k, v, mask, 0.5, { p: 0.3, seed: [4, 4] }), [
      { data: r(n(shape), 4), shape },
      { data: r(n(shape), 5), shape },
      { data: r(n(shape), 6), shape },
    ], { maxElements: 8 });
    mask.dispose();
  });

  it('gradcheck: TransformerEncoderLayer (post-LN, GELU FFN) w.r.t. its input, and through the attention dropout path', async () => {
    for (const attentionDropout of [0, 0.2]) {
      const layer = new nn.TransformerEncoderLayer(gpu, D, 2, 7, { seed: 8, dropout: 0.1, attentionDropout });
      expect((await shapes(layer)).filter((s) => !s.includes('attention.')).join(' ')).toBe(
        'sa_layer_norm.weight:6 sa_layer_norm.bias:6 ffn.lin1.weight:7x6 ffn.lin1.bias:7 ffn.lin2.weight:6x7 ffn.lin2.bias:6 output_layer_norm.weight:6 output_layer_norm.bias:6',
      );
      const mask = tensor(gpu, maskData, [B, T], 'u32');
      // Dropout counts calls: reset before every forward so each sees the same masks.
      const drops = [...layer.modules()].map(([, m]) => m).filter((m): m is nn.Dropout => m instanceof nn.Dropout);
      await gradcheck(gpu, (x) => {
        for (const d of drops) d.calls = 0;
        return layer.forward(x, mask);
      }, [{ data: r(B * T * D, 9), shape: [B, T, D] }], { maxElements: 10, rtol: 2e-2 });
      mask.dispose();
      layer.dispose();
    }
  });
});
