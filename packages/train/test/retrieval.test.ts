import { describe, expect, it } from 'vitest';
import { retrievalTop1 } from '../src/index.ts';

describe('retrievalTop1', () => {
  const n = 5;
  const d = 3;
  const rows = (f: (i: number, k: number) => number) => Float32Array.from({ length: n * d }, (_, j) => f(Math.floor(j / d), j % d));
  const distinct = (i: number, k: number) => Math.cos(i * 1.3 + k * 2.1) + (k === 0 ? 2 * i : 0);

  it('scores matching pairs 1, whatever their scale', () => {
    const r = retrievalTop1(rows(distinct), rows((i, k) => 3.5 * distinct(i, k)), n, d);
    expect(r).toEqual({ n, imageToText: 1, textToImage: 1, chance: 1 / n });
  });

  it('scores a shifted pairing 0 and a collapsed model chance', () => {
    const shifted = retrievalTop1(rows(distinct), rows((i, k) => distinct((i + 1) % n, k)), n, d);
    expect(shifted.imageToText).toBe(0);
    expect(shifted.textToImage).toBe(0);
    const collapsed = retrievalTop1(rows(() => 1), rows(distinct), n, d);
    expect(collapsed.imageToText).toBe(1 / n);
    expect(collapsed.textToImage).toBe(1 / n);
  });

  it('rejects mis-sized inputs', () => {
    expect(() => retrievalTop1(new Float32Array(6), new Float32Array(6), n, d)).toThrow(/5 x 3/);
  });
});
