// The CASIA probe on a tiny dataset in CASIA 2's layout the test writes: listing, the 224 px
// inputs (resize and centre crop), cached vectors, and the probe over them.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { ExifClip } from '@exif-lang/models';
import { rngFromSeed } from '@exif-lang/data';
import { CASIA_SIDE, casiaFeatures, casiaInput, casiaLabels, loadCasia, type CasiaImage } from '../src/probe/casia.ts';
import { modelExtractor } from '../src/localize/model-features.ts';
import { probeTask } from '../src/probe/run-probe.ts';

let gpu: Gpu;
let root: string;
let images: CasiaImage[];

/** Authentic: smooth gradients saved at JPEG 95; tampered: the same with a noisy block, saved at 60. */
async function writeImage(path: string, seed: number, tampered: boolean): Promise<void> {
  const w = 300;
  const h = 240;
  const rng = rngFromSeed(seed);
  const px = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    const inBlock = tampered && x > 80 && x < 220 && y > 60 && y < 180;
    px[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(40 + c * 50 + (x + y) / 4 + (inBlock ? 60 * (rng() - 0.5) : 0))));
  }
  await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: tampered ? 60 : 95 }).toFile(path);
}

beforeAll(async () => {
  gpu = await getGpu();
  root = mkdtempSync(join(tmpdir(), 'casia-'));
  for (const d of ['Au', 'Tp', 'CASIA 2 Groundtruth']) mkdirSync(join(root, d), { recursive: true });
  for (let i = 0; i < 6; i++) {
    await writeImage(join(root, 'Au', `Au_ani_${i}.jpg`), i, false);
    await writeImage(join(root, 'Tp', `Tp_D_${i}.jpg`), 100 + i, true);
    const mask = new Uint8Array(300 * 240).map((_, k) => ((k % 300) > 80 && (k % 300) < 220 && k / 300 > 60 && k / 300 < 180 ? 255 : 0));
    await sharp(mask, { raw: { width: 300, height: 240, channels: 1 } }).png().toFile(join(root, 'CASIA 2 Groundtruth', `Tp_D_${i}_gt.png`));
  }
  images = (await loadCasia('casia2', root)).images;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('CASIA probe', () => {
  it('lists Au / Tp with labels', () => {
    expect(images.length).toBe(12);
    const t = casiaLabels(images);
    expect(t.classes).toEqual(['authentic', 'tampered']);
    expect([...t.labels].filter((l) => l === 1).length).toBe(6);
  });

  it('brings every image to 224 x 224 by resize or centre crop', async () => {
    for (const fit of ['resize', 'crop'] as const) {
      const im = await casiaInput(images[0].path, fit);
      expect([im.width, im.height]).toEqual([CASIA_SIDE, CASIA_SIDE]);
      expect(im.data.length).toBe(CASIA_SIDE * CASIA_SIDE * 3);
    }
    // the crop keeps the centre: the left edge of the crop lies (300 - 240) / 2 px into the photo
    const crop = await casiaInput(images[0].path, 'crop');
    const resize = await casiaInput(images[0].path, 'resize');
    expect(crop.data[0]).not.toBe(resize.data[0]);
  });

  it('probes the hand-crafted vector and a 224 px model input', async () => {
    const cache = join(root, 'cache');
    const hand = await casiaFeatures(images, 'resize', undefined, { cacheDir: cache, key: 'handcrafted-casia' });
    const again = await casiaFeatures(images, 'resize', undefined, { cacheDir: cache, key: 'handcrafted-casia' });
    expect(again[3].mean).toEqual(hand[3].mean);
    const model = new ExifClip(gpu, {
      image: { block: 'basic', layers: [1, 1, 1, 1], stem: 8, widths: [8, 8, 16, 16], embed: 16 },
      text: { vocab: 64, dim: 16, maxPositions: 16, layers: 1, heads: 2, ffn: 16 }, seed: 2,
    });
    try {
      model.eval();
      const net = await casiaFeatures(images, 'crop', modelExtractor(model, CASIA_SIDE), { key: 'm' });
      expect(net[0].dim).toBe(16);
      await expect(casiaFeatures(images, 'crop', modelExtractor(model, 64), { key: 'm' })).rejects.toThrow(/224/);
      const r = await probeTask(gpu, casiaLabels(images), [{ name: 'handcrafted', features: hand }, { name: 'random', features: net }], { folds: 3 });
      expect(r.images).toBe(12);
      // JPEG 60 vs 95 and a noisy block: the DCT histograms see it even after the resize
      expect(r.ours.accuracy).toBeGreaterThan(0.75);
    } finally {
      model.dispose();
    }
  });
});
