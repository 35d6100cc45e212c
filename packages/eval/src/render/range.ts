/**
 * Robust display range of a map: its p-th and (100 - p)-th percentiles (linear interpolation
 * between order statistics, numpy's default), ignoring NaN and infinities.
 *
 * Small maps are sorted. Large ones (a 12 MP heat map) use an exact radix select instead: each
 * float32 is mapped to an unsigned key with the same order, one pass histograms the top 16 bits
 * of the keys, a second pass histograms the low 16 bits of the keys in the bins holding the
 * wanted ranks. Two passes, 64 Ki-bin histograms, no copy of the map.
 */

/** maps up to this many values are simply sorted */
const SORT_LIMIT = 1 << 16;
const HALF = 1 << 16;

/** order-preserving unsigned key of a float32's bits */
function keyOf(bits: number): number {
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

function floatOfKey(key: number): number {
  const bits = key & 0x80000000 ? key & 0x7fffffff : ~key;
  const u = new Uint32Array([bits >>> 0]);
  return new Float32Array(u.buffer)[0]!;
}

function isFiniteBits(bits: number): boolean {
  return (bits & 0x7f800000) !== 0x7f800000;
}

/** the finite values of ranks `ks` (0-based, ascending order) */
function selectRanks(values: Float32Array, ks: number[]): number[] {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const top = new Uint32Array(HALF);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    if (isFiniteBits(b)) top[keyOf(b) >>> 16]!++;
  }
  // the top bin of each rank and the count below it
  const bins = ks.map((k) => {
    let bin = 0;
    let acc = 0;
    while (acc + top[bin]! <= k) acc += top[bin++]!;
    return { bin, rest: k - acc };
  });
  const wanted = [...new Set(bins.map((b) => b.bin))];
  const slot = new Int8Array(HALF).fill(-1); // top bin -> its low histogram
  wanted.forEach((bin, j) => { slot[bin] = j; });
  const low = wanted.map(() => new Uint32Array(HALF));
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    if (!isFiniteBits(b)) continue;
    const key = keyOf(b);
    const j = slot[key >>> 16]!;
    if (j >= 0) low[j]![key & 0xffff]!++;
  }
  return bins.map(({ bin, rest }) => {
    const h = low[wanted.indexOf(bin)]!;
    let l = 0;
    let acc = 0;
    while (acc + h[l]! <= rest) acc += h[l++]!;
    return floatOfKey(((bin << 16) | l) >>> 0);
  });
}

function interpolate(rank: number, at: (i: number) => number, n: number): number {
  const i = Math.floor(rank);
  const f = rank - i;
  const a = at(i);
  return f > 0 && i + 1 < n ? a + f * (at(i + 1) - a) : a;
}

/** robust range of a map: [percentile p, percentile 100 - p] (default p = 1); never lo == hi */
export function robustRange(values: Float32Array, p = 1): [number, number] {
  if (!(p >= 0 && p <= 50)) throw new Error(`robustRange: p must be in [0, 50], got ${p}`);
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      n++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (n === 0) return [0, 1];
  if (min === max) return [min - 0.5, max + 0.5];
  const rLo = (p / 100) * (n - 1);
  const rHi = (1 - p / 100) * (n - 1);
  let at: (i: number) => number;
  if (n <= SORT_LIMIT) {
    const finite = new Float32Array(n);
    let j = 0;
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finite[j++] = values[i]!;
    finite.sort();
    at = (i) => finite[i]!;
  } else {
    const ks = [Math.floor(rLo), Math.floor(rLo) + 1, Math.floor(rHi), Math.floor(rHi) + 1].map((k) => Math.min(k, n - 1));
    const got = new Map<number, number>();
    selectRanks(values, ks).forEach((v, i) => got.set(ks[i]!, v));
    at = (i) => got.get(i)!;
  }
  const lo = interpolate(rLo, at, n);
  const hi = interpolate(rHi, at, n);
  // Most of the map equal (a flat background): fall back to the full extent.
  return hi > lo ? [lo, hi] : [min, max];
}
