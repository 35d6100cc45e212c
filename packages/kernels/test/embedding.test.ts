import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, embedding, embeddingBackward, embeddingRef, embeddingBackwardRef, ShapeError, type Gpu, testing } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

/** ids with heavy repetition: a hot id (spanning several 256-id chunks), a small pool, out-of-range ids. */
function makeIds(count: number, vocab: number, seed: number): Uint32Array {
  const r = testing.rng(seed);
  return Uint32Array.from({ length: count }, (_, i) => {
    if (i % 3 === 0) return 7; // hot row
    if (i % 97 === 5) return [vocab, vocab + 12, 0xffffffff][i % 3]; // out of range
    if (i % 5 === 0) return vocab - 1; // last row (tail workgroup)
    return Math.floor(r() * Math.min(vocab, 300));
  });
}

async function run(vocab: number, dim: number, count: number, seed: number, paddingIdx?: number): Promise<void> {
  const table = testing.randUniform(vocab * dim, seed);
  const ids = makeIds(count, vocab, seed);
  const dy = testing.randUniform(count * dim, seed + 1);
  const tb = gpu.upload(table);
  const ib = gpu.upload(ids);
  const db = gpu.upload(dy);
  const out = embedding(gpu, tb, [vocab, dim], ib, count);
  const exact = { atol: 0, rtol: 0 };
  testing.assertClose((await gpu.readF32(out)).subarray(0, count * dim), embeddingRef(table, vocab, dim, ids), { ...exact, label: 'gather' });

  const grad = embeddingBackward(gpu, db, ib, count, [vocab, dim], { paddingIdx });
  const got = (await gpu.readF32(grad)).subarray(0, vocab * dim);
  // Same order of f32 additions as the sequential loop: bitwise equal.
  testing.assertClose(got, embeddingBackwardRef(dy, ids, vocab, dim, { paddingIdx, f32: true }), { ...exact, label: 'grad bits' });
  testing.assertClose(got, embeddingBackwardRef(dy, ids, vocab, dim, { paddingIdx }), { atol: 2e-5, rtol: 1e-5 });

  // accumulate into an existing gradient
  const g0 = testing.randUniform(vocab * dim, seed + 2);
  const gb = gpu.upload(g0);
  embeddingBackward(gpu, db, ib, count, [vocab, dim], { out: gb, accumulate: true, paddingIdx });
  const acc = (await gpu.readF32(gb)).subarray(0, vocab * dim);
  testing.assertClose(acc, embeddingBackwardRef(dy, ids, vocab, dim, { into: g0, paddingIdx, f32: true }), { ...exact, label: 'accumulated bits' });
  for (const b of [tb, ib, db, out, grad, gb]) b.release();
}

describe('embedding gather and deterministic scatter-add gradient', () => {
  it('odd vocab and width, repeated and out-of-range ids', async () => {
    await run(1003, 37, 613, 1);
  });

  it('rows wider than a workgroup (dim 300), padding_idx', async () => {
    await run(517, 300, 301, 2, 7);
  });

  it('BERT-sized vocab, one id, empty batch', async () => {
    await run(30522, 8, 1000, 3);
    await run(5, 3, 1, 4);
    const tb = gpu.upload(new Float32Array(6));
    const ib = gpu.upload(new Uint32Array(1));
    const grad = embeddingBackward(gpu, tb, ib, 0, [2, 3]); // no ids: zeros
    expect(Array.from((await gpu.readF32(grad)).subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => embedding(gpu, tb, [3, 3], ib, 1)).toThrow(ShapeError);
    expect(() => embeddingBackward(gpu, tb, ib, 1, [2, 3], { accumulate: true })).toThrow(/accumulate/);
    for (const b of [tb, ib, grad]) b.release();
  });
});
