import { describe, it, beforeAll, expect } from 'vitest';
import {
  getGpu, boxVote, boxVoteNormalize, boxVoteRef, boxVoteNormalizeRef, meanShiftNeighbours, meanShiftSweep, meanShiftRef, matmul,
  radixHistogram, floatKey, keyFloat, gramDistances, gramDistancesRef, cutAffinity, cutAffinityRef, diagonal, fill, testing, type Gpu,
} from '../src/index.ts';

const { randUniform, randNormal, assertClose } = testing;

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

describe('boxVote', () => {
  it('sums the patches whose window holds each cell, along any axis (odd shapes, spread 1..4)', async () => {
    for (const [outer, len, inner, spread] of [[3, 7, 5, 3], [1, 5, 1, 1], [2, 1, 3, 4], [4, 9, 2, 2]]) {
      const x = randUniform(outer * len * inner, outer + len * 7 + spread);
      const xb = gpu.upload(x);
      const out = boxVote(gpu, xb, outer, len, inner, spread);
      const got = await gpu.readF32(out);
      assertClose(got.subarray(0, outer * (len + spread - 1) * inner), boxVoteRef(x, outer, len, inner, spread), { atol: 1e-6, rtol: 1e-6 });
      xb.release();
      out.release();
    }
  });

  it('normalizes by the vote counts + 1e-4 over 2 and 4 voting axes with channels', async () => {
    for (const [lens, spread, ch] of [[[3, 4], 2, 3], [[2, 3, 2, 3], 3, 1], [[5], 1, 2]] as const) {
      const n = lens.reduce((a, l) => a * (l + spread - 1), 1) * ch;
      const x = randUniform(n, n);
      const xb = gpu.upload(x);
      const out = boxVoteNormalize(gpu, xb, lens, spread, ch);
      assertClose((await gpu.readF32(out)).subarray(0, n), boxVoteNormalizeRef(x, lens, spread, ch), { atol: 1e-7, rtol: 1e-6 });
      xb.release();
      out.release();
    }
  });

  it('rejects a buffer too small for the view', () => {
    const xb = gpu.upload(new Float32Array(10));
    expect(() => boxVote(gpu, xb, 2, 3, 2, 2)).toThrow(/holds 10 elements/);
    xb.release();
  });
});

describe('meanShift', () => {
  // Two blobs and a straggler in 5-D: a radius that joins each blob but not the two.
  function blobs(m: number, d: number): Float32Array {
    const noise = randNormal(m * d, 11, 0.15);
    const x = new Float32Array(m * d);
    for (let i = 0; i < m; i++) for (let k = 0; k < d; k++) x[i * d + k] = (i < m / 3 ? 2 : 0) + (i === m - 1 ? 5 * (k % 2) : 0) + noise[i * d + k];
    return x;
  }

  it('sweeps over the neighbour lists equal the float64 sequential reference (points, counts)', async () => {
    for (const [m, d, iters, vec4] of [[37, 5, 5, true], [300, 3, 2, true], [70, 132, 3, true], [70, 132, 3, false]] as const) {
      const x = blobs(m, d);
      const r2 = 0.6 * 0.6 * d;
      const xb = gpu.upload(x);
      const xn = new Float32Array(m);
      for (let i = 0; i < m; i++) for (let k = 0; k < d; k++) xn[i] += x[i * d + k] ** 2;
      const xnb = gpu.upload(xn);
      const pts = gpu.upload(x);
      const nbr = gpu.alloc(m * m * 4);
      const counts = gpu.alloc(m * 4);
      // The driver of eval's meanShiftMode: q = P X^T, neighbour lists, one sweep; counts at the end.
      const lists = (): void => {
        const q = matmul(gpu, pts, xb, { M: m, N: m, K: d, transB: true });
        meanShiftNeighbours(gpu, xnb, pts, q, { m, d }, r2, { nbr, counts });
        q.release();
      };
      for (let it = 0; it < iters; it++) {
        lists();
        meanShiftSweep(gpu, nbr, counts, pts, { m, d }, { vec4 });
      }
      lists();
      const ref = meanShiftRef(x, m, d, r2, iters);
      assertClose((await gpu.readF32(pts)).subarray(0, m * d), ref.points, { atol: 1e-5, rtol: 1e-5, label: `points m=${m}` });
      expect(Array.from((await gpu.readU32(counts)).subarray(0, m))).toEqual(Array.from(ref.counts));
      // The lists are the neighbours in increasing order.
      const lst = await gpu.readU32(nbr);
      const c = await gpu.readU32(counts);
      const row = Array.from(lst.subarray(0, c[0]));
      expect(row).toEqual([...row].sort((a, b) => a - b));
      for (const b of [xb, xnb, pts, nbr, counts]) b.release();
    }
  });

  it('is sequential: a point sees the earlier points already moved', () => {
    // 1-D points 0, 1, 2 with radius 1: the official loop moves point 0 to 0.5, then point 1
    // to the mean of the CURRENT 0.5, 1, 2 = 7/6, ...; a simultaneous update would give 1.
    const ref = meanShiftRef([0, 1, 2], 3, 1, 1, 1);
    expect(ref.points[0]).toBeCloseTo(0.5, 12);
    expect(ref.points[1]).toBeCloseTo(3.5 / 3, 12);
  });
});

describe('radix selection and pairwise maps', () => {
  it('the float key orders like the floats and inverts', () => {
    const v = [-3.5, -0.25, -0, 0, 1e-30, 0.5, 2, 1e30];
    const keys = v.map(floatKey);
    for (let i = 1; i < keys.length; i++) expect(keys[i]).toBeGreaterThanOrEqual(keys[i - 1]);
    for (const x of v) expect(keyFloat(floatKey(x))).toBe(Math.fround(x));
  });

  it('the digit histograms add up to the element counts under each prefix', async () => {
    const n = 70001;
    const x = randNormal(n, 5);
    const xb = gpu.upload(x);
    const hist = fill(gpu, 256, 0, { dtype: 'u32' });
    radixHistogram(gpu, xb, n, 24, 0, hist);
    const top = await gpu.readU32(hist);
    const expectTop = new Uint32Array(256);
    for (const v of x) expectTop[floatKey(v) >>> 24]++;
    expect(Array.from(top)).toEqual(Array.from(expectTop));
    // Second digit under the most populated top digit.
    const digit = expectTop.indexOf(Math.max(...expectTop));
    const h2 = fill(gpu, 256, 0, { dtype: 'u32' });
    radixHistogram(gpu, xb, n, 16, digit << 24, h2);
    const expect2 = new Uint32Array(256);
    for (const v of x) if (floatKey(v) >>> 24 === digit) expect2[(floatKey(v) >>> 16) & 255]++;
    expect(Array.from(await gpu.readU32(h2))).toEqual(Array.from(expect2));
    for (const b of [xb, hist, h2]) b.release();
  });

  it('gram distances and cut affinities match float64', async () => {
    const m = 19;
    const a = randNormal(m * 4, 3);
    const g = new Float32Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < 4; k++) g[i * m + j] += a[i * 4 + k] * a[j * 4 + k];
    const gb = gpu.upload(g);
    const dist = gramDistances(gpu, gb, m);
    assertClose((await gpu.readF32(dist)).subarray(0, m * m), gramDistancesRef(g, m), { atol: 1e-5, rtol: 1e-5 });
    const s = randUniform(m, 9, 0.5, 2);
    const sb = gpu.upload(s);
    const aff = cutAffinity(gpu, gb, sb, m);
    assertClose((await gpu.readF32(aff)).subarray(0, m * m), cutAffinityRef(g, s, m), { atol: 1e-6, rtol: 1e-6 });
    const dg = diagonal(gpu, gb, m);
    expect(Array.from((await gpu.readF32(dg)).subarray(0, m))).toEqual(Array.from({ length: m }, (_, i) => g[i * m + i]));
    for (const b of [gb, dist, sb, aff, dg]) b.release();
  });
});
