import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { RgbImage } from '@exif-lang/data';
import { rngFromSeed } from '@exif-lang/data';
import { patchGrid, patchOrigin, patchCount } from '../src/localize/grid.ts';
import type { PatchGrid } from '../src/localize/grid.ts';
import {
  DEFAULT_Q,
  NOISE_HIST_BINS,
  noiseFeatureGroups,
  noiseResidualExtractor,
  noiseResidualRaw,
  randomFeatureExtractor,
  symmetryTable,
} from '../src/baselines/index.ts';

// ---------------------------------------------------------------------------------------------
// fixtures

function gaussian(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

const clampByte = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** A smooth colour gradient plus Gaussian noise of `sigma(x, y)`. */
function noisyGradient(width: number, height: number, seed: number, sigma: (x: number, y: number) => number): RgbImage {
  const rng = rngFromSeed(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = sigma(x, y);
      const base = [60 + (120 * x) / width, 80 + (100 * y) / height, 140 - (60 * (x + y)) / (width + height)];
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = clampByte(base[c] + s * gaussian(rng));
    }
  }
  return { width, height, data };
}

/** Textured content: blobs of sinusoids plus noise (gives a JPEG something to quantise). */
function textured(width: number, height: number, seed: number): RgbImage {
  const rng = rngFromSeed(seed);
  const fx = 0.05 + 0.1 * rng();
  const fy = 0.04 + 0.1 * rng();
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 128 + 50 * Math.sin(fx * x + 0.3 * Math.sin(0.02 * y)) * Math.cos(fy * y) + 20 * Math.sin(0.013 * (x + 2 * y));
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = clampByte(v + 15 * c + 4 * gaussian(rng));
    }
  }
  return { width, height, data };
}

async function jpegRoundTrip(img: RgbImage, quality: number): Promise<RgbImage> {
  const jpg = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
  const { data, info } = await sharp(jpg).raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

function crop(img: RgbImage, x0: number, y0: number, w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) data.set(img.data.subarray(((y0 + y) * img.width + x0) * 3, ((y0 + y) * img.width + x0 + w) * 3), y * w * 3);
  return { width: w, height: h, data };
}

function cosineDistance(f: Float32Array, dim: number, i: number, j: number): number {
  let s = 0;
  let a = 0;
  let b = 0;
  for (let k = 0; k < dim; k++) {
    s += f[i * dim + k] * f[j * dim + k];
    a += f[i * dim + k] ** 2;
    b += f[j * dim + k] ** 2;
  }
  return 1 - s / Math.sqrt(a * b);
}

/** Mean cosine distance within side 0, within side 1 and across (patches labelled -1 ignored). */
function sideDistances(f: Float32Array, dim: number, side: Int8Array) {
  const sum = [0, 0, 0];
  const cnt = [0, 0, 0];
  for (let i = 0; i < side.length; i++) {
    for (let j = i + 1; j < side.length; j++) {
      if (side[i] < 0 || side[j] < 0) continue;
      const k = side[i] !== side[j] ? 2 : side[i];
      sum[k] += cosineDistance(f, dim, i, j);
      cnt[k]++;
    }
  }
  expect(Math.min(...cnt)).toBeGreaterThan(0);
  return { within0: sum[0] / cnt[0], within1: sum[1] / cnt[1], across: sum[2] / cnt[2] };
}

/** 0 = patch entirely left of `split`, 1 = entirely right of it, -1 = straddles. */
function halves(g: PatchGrid, split: number): Int8Array {
  const side = new Int8Array(patchCount(g));
  for (let i = 0; i < side.length; i++) {
    const { x } = patchOrigin(g, i);
    side[i] = x + g.patch <= split ? 0 : x >= split ? 1 : -1;
  }
  return side;
}

// ---------------------------------------------------------------------------------------------
// the float64 straightforward reference of one patch's raw descriptor

/** Symmetry classes by brute force: orbit of every 4-tuple, classes ranked by smallest member. */
function referenceClasses(t: number): Map<string, number> {
  const vals: number[] = [];
  for (let v = -t; v <= t; v++) vals.push(v);
  const tuples: number[][] = [];
  for (const a of vals) for (const b of vals) for (const c of vals) for (const d of vals) tuples.push([a, b, c, d]);
  // lexicographic order on tuples == order of the base-(2T+1) code
  const key = (u: number[]) => u.join(',');
  const lexLess = (u: number[], v: number[]) => {
    for (let i = 0; i < 4; i++) if (u[i] !== v[i]) return u[i] < v[i];
    return false;
  };
  const rep = new Map<string, number[]>();
  for (const u of tuples) {
    const orbit = [u, [...u].reverse(), u.map((v) => -v), [...u].reverse().map((v) => -v)];
    let m = orbit[0];
    for (const o of orbit) if (lexLess(o, m)) m = o;
    rep.set(key(u), m);
  }
  const reps = [...new Set([...rep.values()].map(key))].map((k) => k.split(',').map(Number));
  reps.sort((u, v) => (lexLess(u, v) ? -1 : lexLess(v, u) ? 1 : 0));
  const rank = new Map(reps.map((r, i) => [key(r), i]));
  const classOf = new Map<string, number>();
  for (const u of tuples) classOf.set(key(u), rank.get(key(rep.get(key(u))!))!);
  return classOf;
}

function referencePatch(img: RgbImage, x0: number, y0: number, p: number, q: number): number[] {
  const t = 2;
  const classOf = referenceClasses(t);
  const px = (x: number, y: number, c: number) => img.data[((y0 + y) * img.width + x0 + x) * 3 + c];
  const lum = (x: number, y: number) => 299 * px(x, y, 0) + 587 * px(x, y, 1) + 114 * px(x, y, 2);
  const Q = q * 1000;
  const level = (r: number) => Math.sign(r) * Math.min(t, Math.floor(Math.abs(r) / Q + 0.5));
  const res = (f: (k: number) => number) => f(0) - 3 * f(1) + 3 * f(2) - f(3);
  const nClasses = new Set(classOf.values()).size;
  const out: number[] = [];
  for (const dir of ['h', 'v']) {
    const hist = new Array<number>(nClasses).fill(0);
    let total = 0;
    for (let a = 0; a + 7 <= p; a++) {
      for (let b = 0; b < p; b++) {
        const tuple = [0, 1, 2, 3].map((k) =>
          level(res((m) => (dir === 'h' ? lum(a + k + m, b) : lum(b, a + k + m)))),
        );
        hist[classOf.get(tuple.join(','))!]++;
        total++;
      }
    }
    for (const h of hist) out.push(Math.sqrt(h / total));
  }
  for (const dir of ['h', 'v']) {
    const sum = new Array<number>(8).fill(0);
    const cnt = new Array<number>(8).fill(0);
    for (let a = 0; a + 4 <= p; a++) {
      for (let b = 0; b < p; b++) {
        const L = (k: number) => (dir === 'h' ? lum(a + k, b) : lum(b, a + k));
        const phase = ((dir === 'h' ? x0 : y0) + a + 2) % 8;
        sum[phase] += Math.abs(L(0) - 3 * L(1) + 3 * L(2) - L(3));
        cnt[phase]++;
      }
    }
    const mean = sum.reduce((s, v, k) => s + v / cnt[k], 0) / 8;
    for (let k = 0; k < 8; k++) out.push(mean > 0 ? sum[k] / cnt[k] / mean : 1);
  }
  for (let c = 0; c < 3; c++) {
    const vals: number[] = [];
    for (let a = 0; a + 4 <= p; a++) {
      for (let b = 0; b < p; b++) {
        vals.push(Math.min(NOISE_HIST_BINS - 1, Math.abs(res((m) => px(a + m, b, c)))));
        vals.push(Math.min(NOISE_HIST_BINS - 1, Math.abs(res((m) => px(b, a + m, c)))));
      }
    }
    vals.sort((u, v) => u - v);
    const n = vals.length;
    out.push(Math.log1p((vals[Math.floor((n - 1) / 2)] + vals[Math.ceil((n - 1) / 2)]) / 2));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

describe('co-occurrence symmetry classes', () => {
  it('pools 625 tuples into 169 classes (T = 2) and 81 into 25 (T = 1), as the brute force does', () => {
    for (const t of [1, 2]) {
      const { classOf, classes } = symmetryTable(t);
      const ref = referenceClasses(t);
      expect(classes).toBe(t === 2 ? 169 : 25);
      expect(classOf.length).toBe((2 * t + 1) ** 4);
      let code = 0;
      for (const k of ref.keys()) expect(classOf[code++]).toBe(ref.get(k));
    }
  });
});

describe('noiseResidualExtractor', () => {
  it('has the harness shape, is deterministic and standardised per image', async () => {
    const img = noisyGradient(300, 261, 1, (x) => (x < 150 ? 2 : 6));
    const ex = noiseResidualExtractor();
    expect(ex.name).toBe('noise-residual');
    expect(ex.patchSize).toBe(124);
    const g = patchGrid(img.width, img.height, ex.patchSize);
    const n = patchCount(g);
    const a = await ex.features(img, g);
    const b = await ex.features(img, g);
    const groups = noiseFeatureGroups();
    expect(a.dim).toBe(2 * 169 + 16 + 3);
    expect(groups.at(-1)!.offset + groups.at(-1)!.size).toBe(a.dim);
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(a.data.length).toBe(n * a.dim);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(a.data.every(Number.isFinite)).toBe(true);
    // centred per dimension; no group all zero here
    for (let j = 0; j < a.dim; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += a.data[i * a.dim + j];
      expect(Math.abs(s / n)).toBeLessThan(1e-5);
    }
    for (const grp of groups) {
      let ss = 0;
      for (let i = 0; i < n; i++) for (let j = grp.offset; j < grp.offset + grp.size; j++) ss += a.data[i * a.dim + j] ** 2;
      expect(ss).toBeGreaterThan(0);
    }
    // another patch size follows the grid
    const small = noiseResidualExtractor({ patchSize: 48 });
    const g48 = patchGrid(img.width, img.height, 48);
    expect((await small.features(img, g48)).data.length).toBe(patchCount(g48) * a.dim);
    await expect(small.features(img, g)).rejects.toThrow(/patch/);
    expect(() => noiseResidualExtractor({ patchSize: 5 })).toThrow();
  });

  it('gives zeros, not NaNs, for a constant image', async () => {
    const img: RgbImage = { width: 160, height: 130, data: new Uint8Array(160 * 130 * 3).fill(90) };
    const ex = noiseResidualExtractor({ patchSize: 40 });
    const f = await ex.features(img, patchGrid(160, 130, 40));
    expect(f.data.every((v) => v === 0)).toBe(true);
  });

  it('fast per-patch path equals a straightforward scan of each patch', () => {
    // odd sizes, heavily overlapping patches (stride 3), and an image not on any 8 px multiple
    const img = textured(151, 113, 5);
    const noisy = noisyGradient(151, 113, 6, (x, y) => 1 + ((x * 7 + y * 3) % 11));
    for (let i = 0; i < img.data.length; i += 2) img.data[i] = noisy.data[i];
    for (const [p, q] of [
      [40, DEFAULT_Q],
      [61, 1.5],
    ] as const) {
      const g = patchGrid(img.width, img.height, p);
      const raw = noiseResidualRaw(img, g, { q });
      const n = patchCount(g);
      expect(g.stride).toBeLessThan(p);
      for (const i of [0, 1, g.cols + 2, Math.floor(n / 2) + 1, n - 1]) {
        const { x, y } = patchOrigin(g, i);
        const ref = referencePatch(img, x, y, p, q);
        expect(ref.length).toBe(raw.dim);
        for (let j = 0; j < raw.dim; j++) {
          expect(Math.abs(raw.data[i * raw.dim + j] - ref[j]), `patch ${i} (${x}, ${y}) dim ${j}`).toBeLessThanOrEqual(1e-12);
        }
      }
    }
  });

  it('separates halves with different noise levels (sigma 2 vs 8)', async () => {
    const img = noisyGradient(640, 320, 2, (x) => (x < 320 ? 2 : 8));
    const ex = noiseResidualExtractor();
    const g = patchGrid(img.width, img.height, ex.patchSize);
    const f = await ex.features(img, g);
    const d = sideDistances(f.data, f.dim, halves(g, 320));
    expect(d.across).toBeGreaterThan(Math.max(d.within0, d.within1) + 0.5);
  });

  it('separates a region with another JPEG quality pasted 3 px off the 8x8 grid', async () => {
    const w = 512;
    const h = 256;
    const host = await jpegRoundTrip(textured(w, h, 3), 50);
    const donor = await jpegRoundTrip(textured(w + 8, h + 8, 4), 95);
    const img = crop(host, 0, 0, w, h);
    // right half from the donor, shifted by 3 px: its block grid is at phase 5 here
    for (let y = 0; y < h; y++) {
      for (let x = w / 2; x < w; x++) {
        for (let c = 0; c < 3; c++) img.data[(y * w + x) * 3 + c] = donor.data[((y + 3) * donor.width + x + 3) * 3 + c];
      }
    }
    const ex = noiseResidualExtractor({ patchSize: 64 });
    const g = patchGrid(w, h, 64);
    const f = await ex.features(img, g);
    const d = sideDistances(f.data, f.dim, halves(g, w / 2));
    expect(d.across).toBeGreaterThan(Math.max(d.within0, d.within1) + 1);
  });

  it('the no-grid ablation zeroes the JPEG-grid group and leaves the others as they are', async () => {
    const img = await jpegRoundTrip(textured(200, 160, 5), 70);
    const g = patchGrid(img.width, img.height, 48);
    const full = await noiseResidualExtractor({ patchSize: 48 }).features(img, g);
    const ab = noiseResidualExtractor({ patchSize: 48, weights: { jpegGrid: 0 }, name: 'noise-residual-no-grid' });
    expect(ab.name).toBe('noise-residual-no-grid');
    const f = await ab.features(img, g);
    expect(f.dim).toBe(full.dim);
    const grid = noiseFeatureGroups().find((x) => x.name === 'jpegGrid')!;
    let gridMax = 0;
    let otherMax = 0;
    for (let i = 0; i < patchCount(g); i++) {
      for (let j = 0; j < f.dim; j++) {
        const inGrid = j >= grid.offset && j < grid.offset + grid.size;
        const v = f.data[i * f.dim + j];
        if (inGrid) gridMax = Math.max(gridMax, Math.abs(v));
        else otherMax = Math.max(otherMax, Math.abs(v - full.data[i * f.dim + j]));
      }
    }
    expect(gridMax).toBe(0);
    expect(otherMax).toBe(0);
    expect(full.data.some((v, k) => (k % f.dim) >= grid.offset && (k % f.dim) < grid.offset + grid.size && v !== 0)).toBe(true);
  });

  it('blockiness peaks at the JPEG grid phase, and moves with a 3 px crop', async () => {
    const jpeg = await jpegRoundTrip(textured(400, 336, 7), 60);
    const grp = noiseFeatureGroups()[1];
    const meanProfile = (img: RgbImage) => {
      const g = patchGrid(img.width, img.height, 124);
      const raw = noiseResidualRaw(img, g);
      const prof = new Array<number>(16).fill(0);
      for (let i = 0; i < patchCount(g); i++) for (let k = 0; k < 16; k++) prof[k] += raw.data[i * raw.dim + grp.offset + k];
      return prof;
    };
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    const aligned = meanProfile(jpeg);
    expect(argmax(aligned.slice(0, 8))).toBe(0);
    expect(argmax(aligned.slice(8))).toBe(0);
    const shifted = meanProfile(crop(jpeg, 3, 3, 390, 320));
    expect(argmax(shifted.slice(0, 8))).toBe(5);
    expect(argmax(shifted.slice(8))).toBe(5);
    // a clear peak, not noise
    const cols = shifted.slice(0, 8);
    expect(cols[5]).toBeGreaterThan(1.5 * Math.max(...cols.filter((_, k) => k !== 5)));
  });
});

describe('randomFeatureExtractor', () => {
  it('i.i.d. Gaussian features seeded by the seed and the image size', async () => {
    const img = noisyGradient(300, 200, 1, () => 3);
    const other = noisyGradient(300, 200, 9, () => 10);
    const ex = randomFeatureExtractor(42);
    expect(ex.name).toBe('random-map');
    expect(ex.patchSize).toBe(124);
    const g = patchGrid(300, 200, 124);
    const a = await ex.features(img, g);
    expect(a.dim).toBe(128);
    expect(a.data.length).toBe(patchCount(g) * 128);
    // same seed and size: same map whatever the pixels; another seed or size: another map
    expect(Array.from((await randomFeatureExtractor(42).features(other, g)).data)).toEqual(Array.from(a.data));
    expect(Array.from((await randomFeatureExtractor(43).features(img, g)).data)).not.toEqual(Array.from(a.data));
    const img2 = noisyGradient(301, 200, 1, () => 3);
    const b = await ex.features(img2, patchGrid(301, 200, 124));
    expect(Array.from(b.data.subarray(0, 64))).not.toEqual(Array.from(a.data.subarray(0, 64)));
    let s = 0;
    let ss = 0;
    for (const v of a.data) {
      s += v;
      ss += v * v;
    }
    const n = a.data.length;
    expect(Math.abs(s / n)).toBeLessThan(0.05);
    expect(Math.abs(ss / n - 1)).toBeLessThan(0.08);
    const small = randomFeatureExtractor(1, { patchSize: 64, dim: 7 });
    const g64 = patchGrid(300, 200, 64);
    const c = await small.features(img, g64);
    expect(c.dim).toBe(7);
    expect(c.data.length).toBe(patchCount(g64) * 7);
  });
});
