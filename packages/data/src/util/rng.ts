/**
 * Seeded randomness. Everything random in the data pipeline (crop positions, shuffles, tag
 * dropout, splits) draws from generators derived from (seed, names...) so a run is reproducible
 * and independent of worker timing.
 */

/**
 * 32-bit hash of any list of strings/numbers (SHA-1 prefix: stable across platforms and versions).
 * Node only; node:crypto is fetched when called so this module (rngFromSeed, randInt) also loads
 * in a browser.
 */
export function hash32(...parts: ReadonlyArray<string | number>): number {
  const h = process.getBuiltinModule('node:crypto').createHash('sha1');
  for (const p of parts) h.update(`${typeof p}:${p}\u0000`);
  return h.digest().readUInt32LE(0);
}

/** A uniform [0, 1) generator: mulberry32, small state, good enough for shuffles and crops. */
export type Rng = () => number;

export function rngFromSeed(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator for one named purpose, e.g. derivedRng(seed, 'crop', imageId, epoch). */
export function derivedRng(...parts: ReadonlyArray<string | number>): Rng {
  return rngFromSeed(hash32(...parts));
}

/** Integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher-Yates in place. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}
