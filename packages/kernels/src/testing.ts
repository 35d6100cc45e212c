/**
 * Test and benchmark helpers shared by every package: seeded random data and a closeness check
 * that reports the worst element (index, value, reference) so a wrong index is easy to spot.
 */

/** mulberry32: small, fast, deterministic 32-bit PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform values in [lo, hi). */
export function randUniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** n standard-normal values (Box-Muller), times `scale`. */
export function randNormal(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = Math.max(r(), 1e-12);
    const u2 = r();
    const m = Math.sqrt(-2 * Math.log(u1)) * scale;
    out[i] = m * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = m * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

export interface CloseOptions {
  /** absolute tolerance */
  atol?: number;
  /** relative tolerance (to |expected|) */
  rtol?: number;
  label?: string;
}

/**
 * Throws unless |a - e| <= atol + rtol * |e| for every element; the message names the worst
 * element. NaN never compares equal (a NaN in either input fails).
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, opts: CloseOptions = {}): void {
  const { atol = 1e-5, rtol = 1e-4, label = 'values' } = opts;
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} != expected ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  let bad = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e);
    const tol = atol + rtol * Math.abs(e);
    if (!(err <= tol)) {
      bad++;
      const excess = Number.isNaN(err) ? Infinity : err - tol;
      if (worst < 0 || excess > worstExcess) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (bad > 0) {
    throw new Error(
      `${label}: ${bad}/${actual.length} elements differ beyond atol=${atol} rtol=${rtol}; ` +
        `worst at [${worst}]: got ${actual[worst]}, expected ${expected[worst]}`,
    );
  }
}

/** max |a - e| / max |e| (the "relative to max abs value" measure used for parity). */
export function maxRelDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    num = Math.max(num, Math.abs(actual[i] - expected[i]));
    den = Math.max(den, Math.abs(expected[i]));
  }
  return den === 0 ? num : num / den;
}
