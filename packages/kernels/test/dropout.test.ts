import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, dropout, dropoutParams, dropoutRef, ShapeError, type Gpu, testing } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

async function run(x: Float32Array, p: number, seed: [number, number]): Promise<Float32Array> {
  const xb = gpu.upload(x);
  const y = dropout(gpu, xb, x.length, { p, seed });
  const out = (await gpu.readF32(y)).slice(0, x.length);
  xb.release();
  y.release();
  return out;
}

describe('dropout', () => {
  it('matches the reference mask exactly (odd length, 2 workgroups)', async () => {
    const x = testing.randUniform(333, 1, 0.5, 1.5);
    for (const [p, seed] of [[0.1, [7, 0]], [0.5, [7, 1]], [0.9, [0xffffffff, 12345]]] as [number, [number, number]][]) {
      const { threshold, scale } = dropoutParams(p);
      expect(Array.from(await run(x, p, seed))).toEqual(Array.from(dropoutRef(x, seed[0], seed[1], threshold, scale)));
    }
  });

  it('keeps about 1 - p and scales by 1 / (1 - p); the mask depends on both seed words', async () => {
    const n = 20001;
    const x = new Float32Array(n).fill(1);
    const a = await run(x, 0.3, [1, 0]);
    const kept = a.filter((v) => v !== 0);
    expect(Math.abs(kept.length / n - 0.7)).toBeLessThan(0.015);
    for (const v of kept) expect(v).toBeCloseTo(1 / 0.7, 6);
    const same = await run(x, 0.3, [1, 0]);
    expect(Array.from(same)).toEqual(Array.from(a));
    for (const other of [[1, 1], [2, 0]] as [number, number][]) {
      const b = await run(x, 0.3, other);
      let agree = 0;
      for (let i = 0; i < n; i++) agree += Number((a[i] !== 0) === (b[i] !== 0));
      // independent masks agree on 0.7^2 + 0.3^2 = 58% of the elements
      expect(Math.abs(agree / n - 0.58)).toBeLessThan(0.02);
    }
  });

  it('p = 0 is the identity, p = 1 zeros everything', async () => {
    const x = testing.randUniform(65, 2);
    expect(Array.from(await run(x, 0, [3, 4]))).toEqual(Array.from(x));
    expect(Array.from(await run(x, 1, [3, 4])).every((v) => v === 0)).toBe(true);
  });

  it('rejects bad p and seeds before the GPU', () => {
    const xb = gpu.upload(new Float32Array(4));
    expect(() => dropout(gpu, xb, 4, { p: 1.5, seed: [0, 0] })).toThrow(ShapeError);
    expect(() => dropout(gpu, xb, 4, { p: 0.5, seed: [-1, 0] })).toThrow(ShapeError);
    expect(() => dropout(gpu, xb, 8, { p: 0.5, seed: [0, 0] })).toThrow(ShapeError);
    xb.release();
  });
});
