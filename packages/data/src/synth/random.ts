/**
 * The synthetic zoo's random source: the package's seeded generators (util/rng.ts) with the
 * draws a simulation needs on top (normals for sensor noise, weighted picks, ranges).
 *
 * Streams are named, not sequential: `fork('image', 17)` depends only on the parent's
 * name and the label, so image 17 is the same whatever images 0-16 consumed, which is what
 * "same seed -> byte-identical files" and on-demand rendering need.
 */
import { derivedRng, shuffleInPlace, type Rng } from '../util/rng.ts';

export class Random {
  private readonly src: Rng;
  private spare: number | null = null;

  constructor(private readonly parts: ReadonlyArray<string | number>) {
    this.src = derivedRng('synth', ...parts);
  }

  static seeded(seed: number): Random {
    return new Random([seed]);
  }

  /** An independent stream named by this one's name plus `labels`. */
  fork(...labels: ReadonlyArray<string | number>): Random {
    return new Random([...this.parts, ...labels]);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.src();
  }

  /** Uniform 32-bit integer (seeds for hash-based textures and patterns). */
  u32(): number {
    return Math.floor(this.src() * 4294967296) >>> 0;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.src();
  }

  /** Integer uniform in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.src() * (hi - lo + 1));
  }

  bool(p = 0.5): boolean {
    return this.src() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick: empty list');
    return items[Math.floor(this.src() * items.length)];
  }

  /** Picks by relative weights (need not sum to 1). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.src() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }

  shuffle<T>(items: T[]): T[] {
    return shuffleInPlace(items, this.src);
  }

  /** Standard normal (Box-Muller, keeping the second value for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(Math.max(1e-12, this.src())));
    const th = 2 * Math.PI * this.src();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  /** Fills `out` with standard normals: the hot loop of sensor noise, both Box-Muller values used. */
  fillNormal(out: Float32Array): void {
    const n = out.length;
    const src = this.src;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(Math.max(1e-12, src())));
      const th = 2 * Math.PI * src();
      out[i] = r * Math.cos(th);
      out[i + 1] = r * Math.sin(th);
    }
    if (i < n) out[i] = this.normal();
  }
}
