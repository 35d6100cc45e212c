import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, fill, arange, cast, castRef, rampRef, type Gpu, type Dtype } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

describe('fill / arange', () => {
  it('fills f32 and u32 constants, including -0, inf and NaN', async () => {
    for (const v of [2.5, -0, Infinity, NaN]) {
      const b = fill(gpu, 301, v);
      const got = await gpu.readF32(b);
      expect(got.length).toBe(301);
      for (const g of got) expect(Object.is(g, Math.fround(v))).toBe(true);
      b.release();
    }
    const u = fill(gpu, 5, 4000000000, { dtype: 'u32' });
    expect(Array.from(await gpu.readU32(u))).toEqual(new Array(5).fill(4000000000));
    u.release();
  });

  it('arange in f32 and u32, into an existing buffer', async () => {
    const a = arange(gpu, 1000, { start: -3, step: 0.5 });
    expect(Array.from(await gpu.readF32(a))).toEqual(Array.from(rampRef(1000, -3, 0.5)));
    const ids = arange(gpu, 777, { dtype: 'u32', start: 5, step: 3 });
    expect(Array.from(await gpu.readU32(ids))).toEqual(Array.from({ length: 777 }, (_, i) => 5 + 3 * i));
    arange(gpu, 10, { out: a });
    expect(Array.from((await gpu.readF32(a)).subarray(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => fill(gpu, 3, -1, { dtype: 'u32' })).toThrow(/not u32/);
    a.release();
    ids.release();
  });
});

describe('cast', () => {
  const f32 = new Float32Array([0, 1.75, -1.75, 3e9, -3e9, 16777217, 255.9, -0.5]);
  const u32 = new Uint32Array([0, 1, 4294967295, 2147483648, 16777217, 123456789]);
  const i32 = new Int32Array([0, -1, 2147483647, -2147483648, -16777217, 99]);
  const sources: Record<Dtype, ArrayLike<number> & ArrayBufferView> = { f32, u32, i32 };
  for (const from of ['f32', 'u32', 'i32'] as Dtype[]) {
    for (const to of ['f32', 'u32', 'i32'] as Dtype[]) {
      it(`${from} -> ${to}`, async () => {
        const src = sources[from];
        const x = gpu.upload(src);
        const y = cast(gpu, x, src.length, from, to);
        const raw = await gpu.read(y);
        const got = Array.from(to === 'f32' ? new Float32Array(raw) : to === 'u32' ? new Uint32Array(raw) : new Int32Array(raw));
        expect(got).toEqual(Array.from(src, (v) => castRef(v, from, to)));
        x.release();
        y.release();
      });
    }
  }
});
