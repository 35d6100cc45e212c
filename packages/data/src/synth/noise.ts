/**
 * Hash-based value noise and fractal sums of it, evaluated anywhere in the plane with no
 * tables, so scene textures are resolution-independent (a camera with more pixels or a
 * longer focal length sees the same world, sampled more finely).
 */

/** Integer lattice hash to [0, 1). */
export function latticeHash(ix: number, iy: number, seed: number): number {
  let h = Math.imul(ix | 0, 0x27d4eb2d) ^ Math.imul(iy | 0, 0x165667b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Smooth value noise in [0, 1) with a smoothstep fade between lattice points. */
export function valueNoise(x: number, y: number, seed: number): number {
  const fx = Math.floor(x);
  const fy = Math.floor(y);
  let tx = x - fx;
  let ty = y - fy;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  const a = latticeHash(fx, fy, seed);
  const b = latticeHash(fx + 1, fy, seed);
  const c = latticeHash(fx, fy + 1, seed);
  const d = latticeHash(fx + 1, fy + 1, seed);
  const top = a + (b - a) * tx;
  const bot = c + (d - c) * tx;
  return top + (bot - top) * ty;
}

/** Fractal Brownian motion: octaves of value noise, each twice the frequency, half the amplitude. Range ~[0, 1]. */
export function fbm(x: number, y: number, seed: number, octaves: number): number {
  let amp = 0.5;
  let sum = 0;
  let norm = 0;
  let f = 1;
  for (let o = 0; o < octaves; o++) {
    sum += amp * valueNoise(x * f, y * f, (seed + o * 0x9e3779b9) | 0);
    norm += amp;
    amp *= 0.5;
    f *= 2.03; // not exactly 2, so octave lattices do not line up into visible grids
  }
  return sum / norm;
}
