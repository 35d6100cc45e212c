// Frozen features and the probe tasks on a synthetic camera zoo the test generates: cache
// behaviour, patch plans, the hand-crafted vector, JPEG quality estimates, task labels, the
// probe runner end to end, the confusion PNG and the sweep's make-probe entry point.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { ExifClip, encodeSafetensors } from '@exif-lang/models';
import { generateSynthZoo, rngFromSeed, type RgbImage } from '@exif-lang/data';
import type { FeatureExtractor } from '../src/localize/types.ts';
import type { PatchGrid } from '../src/localize/grid.ts';
import { loadPhotoSet, type ProbeImage } from '../src/probe/photo-set.ts';
import { embedImages } from '../src/probe/features.ts';
import { patchOrigins, patchStrip } from '../src/probe/patches.ts';
import { handcraftedFeatures } from '../src/probe/handcrafted.ts';
import { recordedCropAlign, recordedPatchSize } from '../src/localize/checkpoint.ts';
import { estimateJpegQuality } from '../src/probe/jpeg-quality.ts';
import { canonicalMake, isPhone } from '../src/probe/camera-names.ts';
import { taskLabels } from '../src/probe/tasks.ts';
import { probeTask } from '../src/probe/run-probe.ts';
import { confusionSvg, writeConfusionPng } from '../src/probe/confusion-png.ts';
import { makeProbeAccuracy } from '../src/probe/make-probe.ts';

let gpu: Gpu;
let dir: string;
let photos: ProbeImage[];

beforeAll(async () => {
  gpu = await getGpu();
  dir = mkdtempSync(join(tmpdir(), 'probe-'));
  await generateSynthZoo({ cameras: 3, images: 24, seed: 3, minSize: 64, maxSize: 96, out: join(dir, 'zoo') });
  photos = await loadPhotoSet(join(dir, 'zoo'), { cacheDir: join(dir, 'cache'), minSize: 32 });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The mean colour of each patch as its feature, counting calls (a cache hit makes none). */
function meanColourExtractor(): FeatureExtractor & { calls: number } {
  const ex = {
    name: 'mean-colour', patchSize: 32, calls: 0,
    async features(image: RgbImage, g: PatchGrid) {
      ex.calls++;
      const out = new Float32Array(g.cols * 3);
      for (let k = 0; k < g.cols; k++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) out[k * 3 + c] += image.data[(y * image.width + k * 32 + x) * 3 + c] / 1024;
      return { data: out, dim: 3 };
    },
  };
  return ex;
}

describe('photo set and tasks', () => {
  it('indexes the zoo with EXIF, texts and hashes', () => {
    expect(photos.length).toBe(24);
    for (const p of photos) {
      expect(p.hash).toMatch(/^[0-9a-f]{40}$/);
      expect(p.make).not.toBe('');
      expect(p.text).toContain('Make:');
    }
  });

  it('labels make and model; tertiles split the values into thirds', () => {
    const make = taskLabels('make', photos);
    expect(make.classes.length).toBeGreaterThanOrEqual(2);
    expect(make.images.length).toBe(make.labels.length);
    const model = taskLabels('model', photos);
    expect(model.classes.length).toBe(3); // 3 cameras, 8 images each
    const q = taskLabels('jpeg-quality', photos);
    expect(q.rule).toMatch(/tertiles/);
    expect(new Set(q.labels).size).toBeGreaterThanOrEqual(2);
  });

  it('folds camera names', () => {
    expect(canonicalMake('NIKON CORPORATION')).toBe('nikon');
    expect(canonicalMake('  Sony Ericsson ')).toBe('sony ericsson');
    expect(canonicalMake('EASTMAN KODAK COMPANY')).toBe('kodak');
    expect(isPhone('Apple', 'iPhone 6')).toBe(true);
    expect(isPhone('SAMSUNG', 'SM-G920F')).toBe(true);
    expect(isPhone('Canon', 'Canon EOS 40D')).toBe(false);
  });
});

describe('features', () => {
  it('patch plans: seeded, inside the image, strip holds the crops', () => {
    const plan = { count: 5, size: 32, mode: 'random' as const, seed: 1 };
    const a = patchOrigins(90, 70, plan, 'img');
    expect(patchOrigins(90, 70, plan, 'img')).toEqual(a);
    expect(patchOrigins(90, 70, plan, 'other')).not.toEqual(a);
    for (const o of [...a, ...patchOrigins(90, 70, { ...plan, mode: 'grid' }, 'img')]) {
      expect(o.x).toBeGreaterThanOrEqual(0);
      expect(o.x + 32).toBeLessThanOrEqual(90);
      expect(o.y + 32).toBeLessThanOrEqual(70);
    }
    const rng = rngFromSeed(2);
    const image: RgbImage = { width: 90, height: 70, data: Uint8Array.from({ length: 90 * 70 * 3 }, () => Math.floor(rng() * 256)) };
    const s = patchStrip(image, a, 32);
    expect(s.grid.cols).toBe(5);
    const k = 3;
    expect(s.image.data[(7 * s.image.width + k * 32 + 5) * 3 + 1]).toBe(image.data[((a[k].y + 7) * 90 + a[k].x + 5) * 3 + 1]);
  });

  it('aligned plans floor each corner onto the grid, and are cached apart from unaligned ones', async () => {
    for (const mode of ['random', 'grid'] as const) {
      const plan = { count: 7, size: 32, mode, seed: 4 };
      const free = patchOrigins(101, 83, plan, 'img');
      const onGrid = patchOrigins(101, 83, { ...plan, align: 8 }, 'img');
      expect(onGrid).toEqual(free.map((o) => ({ x: 8 * Math.floor(o.x / 8), y: 8 * Math.floor(o.y / 8) })));
      expect(free.some((o) => o.x % 8 !== 0 || o.y % 8 !== 0)).toBe(true); // the test would not see the floor otherwise
      expect(patchOrigins(101, 83, { ...plan, align: 1 }, 'img')).toEqual(free);
    }
    expect(() => patchOrigins(90, 70, { count: 1, size: 32, mode: 'grid', seed: 0, align: 0 }, 'img')).toThrow(/align must be a positive integer/);
    const ex = meanColourExtractor();
    const o = { plan: { count: 4, size: 32, mode: 'random' as const, seed: 5 }, cacheDir: join(dir, 'feat-align'), key: 'k' };
    const free = await embedImages(photos.slice(0, 3), ex, o);
    const aligned = await embedImages(photos.slice(0, 3), ex, { ...o, plan: { ...o.plan, align: 8 } });
    expect(ex.calls).toBe(6); // no cache hit across alignments
    expect(aligned.map((f) => [...f.patches])).not.toEqual(free.map((f) => [...f.patches]));
  });

  it("reads the training run's crop grid and patch size from a checkpoint's recorded config", () => {
    const t = { w: { dtype: 'F32' as const, shape: [1], data: new Float32Array([1]) } };
    const withConfig = encodeSafetensors(t, { config: JSON.stringify({ data: { patchSize: 48, cropAlign: 8 } }) });
    expect([recordedCropAlign(withConfig), recordedPatchSize(withConfig)]).toEqual([8, 48]);
    const older = encodeSafetensors(t, { config: JSON.stringify({ data: { patchSize: 64 } }) }); // before data.cropAlign
    expect([recordedCropAlign(older), recordedPatchSize(older)]).toEqual([1, 64]);
    expect([recordedCropAlign(encodeSafetensors(t)), recordedPatchSize(encodeSafetensors(t))]).toEqual([1, undefined]);
  });

  it('a second embedding of the same images hits the cache', async () => {
    const ex = meanColourExtractor();
    const o = { plan: { count: 4, size: 32, mode: 'grid' as const, seed: 0 }, cacheDir: join(dir, 'feat'), key: 'k1' };
    const first = await embedImages(photos, ex, o);
    expect(ex.calls).toBe(photos.length);
    const second = await embedImages(photos, ex, o);
    expect(ex.calls).toBe(photos.length);
    expect(second[5].patches).toEqual(first[5].patches);
    expect(first[5].mean[0]).toBeCloseTo((first[5].patches[0] + first[5].patches[3] + first[5].patches[6] + first[5].patches[9]) / 4, 5);
    await embedImages(photos.slice(0, 2), ex, { ...o, key: 'k2' }); // other weights: other entries
    expect(ex.calls).toBe(photos.length + 2);
    expect(readdirSync(join(dir, 'feat', 'k1')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('the hand-crafted vector: DCT histograms sum to 1 per coefficient, cached', async () => {
    const f = await handcraftedFeatures(photos.slice(0, 3), { cacheDir: join(dir, 'feat') });
    const again = await handcraftedFeatures(photos.slice(0, 3), { cacheDir: join(dir, 'feat') });
    expect(again[1].mean).toEqual(f[1].mean);
    let first = 0;
    for (let b = 0; b < 21; b++) first += f[0].mean[b];
    expect(first).toBeCloseTo(1, 5);
    expect(f[0].dim).toBeGreaterThan(15 * 21);
  });

  it('estimates the IJG quality of standard-table JPEGs', async () => {
    const rng = rngFromSeed(5);
    const raw = Buffer.from(Uint8Array.from({ length: 64 * 64 * 3 }, () => Math.floor(rng() * 256)));
    for (const q of [30, 50, 75, 90]) {
      const jpg = await sharp(raw, { raw: { width: 64, height: 64, channels: 3 } }).jpeg({ quality: q, quantisationTable: 0 }).toBuffer();
      expect(Math.abs((estimateJpegQuality(jpg) ?? 0) - q)).toBeLessThanOrEqual(1.5);
    }
    expect(estimateJpegQuality(new Uint8Array([0x89, 0x50]))).toBeUndefined();
  });
});

describe('probe runner', () => {
  it('the hand-crafted probe separates the zoo cameras; JSON fields and the confusion PNG', async () => {
    const t = taskLabels('model', photos);
    const hand = await handcraftedFeatures(photos, { cacheDir: join(dir, 'feat') });
    const colour = await embedImages(photos, meanColourExtractor(), { plan: { count: 4, size: 32, mode: 'grid', seed: 0 }, key: 'k1', cacheDir: join(dir, 'feat') });
    const r = await probeTask(gpu, t, [{ name: 'handcrafted', features: hand }, { name: 'colour', features: colour }], { folds: 4 });
    expect(r.images).toBe(24);
    expect(r.classes.length).toBe(3);
    expect(r.folds).toBe(4);
    expect(r.ours.accuracy).toBeGreaterThan(r.majority); // the cameras' JPEG settings differ
    expect(r.ours.ci[0]).toBeLessThanOrEqual(r.ours.accuracy);
    expect(r.ours.ci[1]).toBeGreaterThanOrEqual(r.ours.accuracy);
    expect(Object.keys(r.ours.perClassRecall)).toEqual(r.classes);
    expect(r.ours.confusion.reduce((a, b) => a + b, 0)).toBe(24);
    expect(Object.keys(r.baselines)).toEqual(['colour']);
    const png = join(dir, 'c.png');
    await writeConfusionPng(png, Int32Array.from(r.ours.confusion), r.classes, 'test & <title>');
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(confusionSvg(Int32Array.from(r.ours.confusion), r.classes, 'a<b')).toContain('a&lt;b');
  });

  it('makeProbeAccuracy on a model in memory', async () => {
    const model = new ExifClip(gpu, {
      image: { block: 'basic', layers: [1, 1, 1, 1], stem: 8, widths: [8, 8, 16, 16], embed: 16 },
      text: { vocab: 64, dim: 16, maxPositions: 16, layers: 1, heads: 2, ffn: 16 }, seed: 1,
    });
    try {
      model.eval();
      const r = await makeProbeAccuracy(gpu, model, photos.map((p) => ({ path: p.path })), { patchSize: 32, patches: 2, folds: 3 });
      const make = taskLabels('make', photos);
      if (make.classes.length < 2) expect(r).toBeNull();
      else {
        expect(r?.images).toBe(make.images.length);
        expect(r?.accuracy).toBeGreaterThanOrEqual(0);
        expect(r?.accuracy).toBeLessThanOrEqual(1);
      }
    } finally {
      model.dispose();
    }
  });
});
