/** Synthetic camera zoo: determinism, EXIF that reads back as simulated, and pixels that follow the settings. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeCameraZoo } from '../src/synth/camera-zoo.ts';
import { demosaic, DEMOSAIC_METHODS } from '../src/synth/demosaic.ts';
import { developShot } from '../src/synth/pipeline.ts';
import { newPlanes } from '../src/synth/planes.ts';
import { Random } from '../src/synth/random.ts';
import { drawShotPlan, finishShot, type ShotSettings } from '../src/synth/shot.ts';
import { generateSynthZoo, synthImage } from '../src/synth/zoo.ts';
import { tempDir } from './fixtures.ts';

const SIZES = { minSize: 48, maxSize: 96 };

/** exifr name for each tag we write, where they differ. */
const READ_NAME: Record<string, string> = {
  ISOSpeedRatings: 'ISO',
  ExposureBiasValue: 'ExposureCompensation',
  DateTime: 'ModifyDate',
  DateTimeDigitized: 'CreateDate',
  FocalLengthIn35mmFilm: 'FocalLengthIn35mmFormat',
};

describe('camera zoo', () => {
  it('draws distinct (make, model) pairs, several per make, sizes in range', () => {
    const cams = makeCameraZoo(12, 3, SIZES);
    expect(new Set(cams.map((c) => `${c.make}|${c.model}`)).size).toBe(12);
    const makes = new Set(cams.map((c) => c.make));
    expect(makes.size).toBeGreaterThan(1);
    expect(makes.size).toBeLessThan(12);
    for (const c of cams) {
      for (const s of [c.width, c.height]) {
        expect(s).toBeGreaterThanOrEqual(SIZES.minSize);
        expect(s).toBeLessThanOrEqual(SIZES.maxSize);
      }
      expect(c.width % 2).toBe(0);
      expect(c.height % 2).toBe(0);
    }
    expect(makeCameraZoo(12, 3, SIZES)).toEqual(cams);
  });

  it('rejects bad sizes and counts', () => {
    expect(() => makeCameraZoo(0, 1, SIZES)).toThrow(/cameras/);
    expect(() => makeCameraZoo(2, 1, { minSize: 64, maxSize: 32 })).toThrow(/min-size/);
  });
});

describe('demosaicing', () => {
  it('reproduces a flat field exactly with every method and CFA layout', () => {
    const W = 9;
    const H = 7;
    const m = new Float32Array(W * H);
    const table = [0.3, 0.5, 0.5, 0.2]; // RGGB cell values: R, G, G, B
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) m[y * W + x] = table[(x & 1) | ((y & 1) << 1)];
    for (const method of DEMOSAIC_METHODS) {
      const out = demosaic(m, W, H, 'RGGB', method);
      for (let i = 0; i < W * H; i++) {
        expect(out.c[0][i]).toBeCloseTo(0.3, 5);
        expect(out.c[1][i]).toBeCloseTo(0.5, 5);
        expect(out.c[2][i]).toBeCloseTo(0.2, 5);
      }
    }
  });
});

describe('synthetic images', () => {
  const cams = makeCameraZoo(4, 11, SIZES);

  it('are byte-identical for the same seed and differ for another', async () => {
    const a = await synthImage(cams, 11, 2);
    const b = await synthImage(cams, 11, 2);
    const c = await synthImage(cams, 12, 2);
    expect(Buffer.compare(a.jpeg, b.jpeg)).toBe(0);
    expect(a.record).toEqual(b.record);
    expect(Buffer.compare(a.jpeg, c.jpeg)).not.toBe(0);
  });

  it('write EXIF that exifr reads back as the simulated settings, and the camera JPEG settings', async () => {
    for (let i = 0; i < 8; i++) {
      const { jpeg, record } = await synthImage(cams, 11, i);
      const read = (await exifr.parse(jpeg, { translateValues: false, reviveValues: false, mergeOutput: true })) as Record<string, unknown>;
      for (const [tag, want] of Object.entries(record.exif)) {
        const got = read[READ_NAME[tag] ?? tag];
        if (typeof want === 'number') expect(got, `${tag} of image ${i}`).toBeCloseTo(want, 3);
        else expect(got, `${tag} of image ${i}`).toBe(want);
      }
      expect(read.ExifImageWidth).toBe(record.width);
      const meta = await sharp(jpeg).metadata();
      expect([meta.width, meta.height]).toEqual([record.width, record.height]);
      expect(meta.chromaSubsampling).toBe(record.jpeg.chroma);
    }
  });
});

describe('pixels follow the settings', () => {
  const cam = makeCameraZoo(3, 5, { minSize: 64, maxSize: 64 }).find((c) => c.kind !== 'phone') ?? makeCameraZoo(3, 5, SIZES)[0];
  /** A flat 18% grey scene developed with the given settings; returns mean and noise (std of neighbour differences / sqrt 2) of the green channel. */
  function develop(over: Partial<ShotSettings>): { mean: number; noise: number } {
    const rng = Random.seeded(1);
    const plan = { ...drawShotPlan(cam, rng), digitalZoom: 1, flashWanted: false, wbPreset: null, contrast: 0 as const, saturation: 0 as const, sharpness: 0 as const, sceneCaptureType: 0 as const };
    const shot = { ...finishShot(cam, plan, 0.18, rng), ...over };
    const refl = newPlanes(cam.width, cam.height, 3);
    for (const p of refl.c) p.fill(0.18);
    const rgb = developShot(cam, refl, shot, Random.seeded(2));
    let s = 0;
    let d2 = 0;
    let n = 0;
    for (let y = 8; y < cam.height - 8; y++) {
      for (let x = 8; x < cam.width - 9; x++) {
        const i = (y * cam.width + x) * 3 + 1;
        s += rgb[i];
        d2 += (rgb[i] - rgb[i + 3]) ** 2;
        n++;
      }
    }
    return { mean: s / n, noise: Math.sqrt(d2 / n / 2) };
  }

  it('higher ISO at the same brightness gives more noise', () => {
    const base = cam.sensor.baseIso;
    const lo = develop({ iso: base, ambientExposure: 1, flashExposure: 0 });
    const hi = develop({ iso: base * 16, ambientExposure: 1, flashExposure: 0 });
    expect(Math.abs(hi.mean - lo.mean)).toBeLessThan(6);
    expect(hi.noise).toBeGreaterThan(lo.noise * 1.5);
  });

  it('more exposure gives a brighter image', () => {
    const dark = develop({ ambientExposure: 0.5, flashExposure: 0 });
    const bright = develop({ ambientExposure: 2, flashExposure: 0 });
    expect(bright.mean).toBeGreaterThan(dark.mean + 20);
  });
});

describe('generateSynthZoo', () => {
  it('writes JPEGs and manifests', async () => {
    const out = await tempDir('synth-');
    const r = await generateSynthZoo({ cameras: 3, images: 5, seed: 4, out, ...SIZES });
    expect(r.records).toHaveLength(5);
    const lines = (await readFile(join(out, 'manifest.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(5);
    const rec = JSON.parse(lines[4]) as { path: string; make: string };
    const jpeg = await readFile(join(out, rec.path));
    const read = (await exifr.parse(jpeg)) as { Make: string };
    expect(read.Make).toBe(rec.make);
    const csv = (await readFile(join(out, 'manifest.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('file,width,height,make,model,camera');
    expect(csv).toHaveLength(6);
    const cams = JSON.parse(await readFile(join(out, 'cameras.json'), 'utf8')) as { cameras: unknown[] };
    expect(cams.cameras).toHaveLength(3);
    await expect(generateSynthZoo({ cameras: 3, images: 0, seed: 4, out, ...SIZES })).rejects.toThrow(/images/);
  });

  it('writes byte-identical files for the same seed', async () => {
    const a = await tempDir('synth-a-');
    const b = await tempDir('synth-b-');
    await generateSynthZoo({ cameras: 2, images: 3, seed: 8, out: a, ...SIZES });
    await generateSynthZoo({ cameras: 2, images: 3, seed: 8, out: b, ...SIZES });
    const files = ['manifest.jsonl', 'manifest.csv', 'cameras.json', ...(await readdir(join(a, 'images'))).map((f) => `images/${f}`)];
    expect(files).toHaveLength(6);
    for (const f of files) expect(Buffer.compare(await readFile(join(a, f)), await readFile(join(b, f))), f).toBe(0);
  });
});
