/** Splice generator: exact masks and pixels, determinism, bad input, the two-camera rule. */
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../src/image/decode.ts';
import { generateSplices } from '../src/splice/generate.ts';
import { drawRegion, rasterizePolygon } from '../src/splice/region.ts';
import { Random } from '../src/synth/random.ts';
import { generateSynthZoo } from '../src/synth/zoo.ts';
import { CANON_EXIF, CORRUPT, hasCorrupt, hasPhotos, makeJpeg, PHOTOS, tempDir, truncateExifSegment, writeFiles } from './fixtures.ts';

async function rgbOf(path: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const r = await decodeImage(path);
  if (!r.ok) throw new Error(`${path}: ${r.reason}`);
  return r.image;
}

/** A folder of synthetic photos from three cameras (sizes 96..160, so 128 px crops cut some). */
let zoo = '';
beforeAll(async () => {
  zoo = await tempDir('splice-zoo-');
  await generateSynthZoo({ cameras: 3, images: 6, seed: 9, out: zoo, minSize: 96, maxSize: 160 });
});

describe('regions', () => {
  it('rasterizes pixel centres exactly', () => {
    const mask = new Uint8Array(10 * 10);
    expect(rasterizePolygon([[2, 3], [7, 3], [7, 8], [2, 8]], 10, 10, mask)).toBe(25);
    expect(mask[3 * 10 + 2]).toBe(1);
    expect(mask[3 * 10 + 7]).toBe(0);
    // Centres on the hypotenuse x + y = 4 fall on the open side of the span: 1 + 2 + 3 inside.
    expect(rasterizePolygon([[0, 0], [4, 0], [0, 4]], 10, 10, mask)).toBe(6);
  });

  it('hits the area range for both shapes and respects the donor size', () => {
    for (let i = 0; i < 30; i++) {
      const rng = Random.seeded(i);
      for (const kind of ['rect', 'polygon'] as const) {
        const r = drawRegion(rng, kind, { width: 200, height: 150, minFraction: 0.1, maxFraction: 0.4, maxBoxWidth: 120, maxBoxHeight: 90 });
        if (!r) continue;
        const f = r.area / (200 * 150);
        expect(f).toBeGreaterThanOrEqual(0.1);
        expect(f).toBeLessThanOrEqual(0.4);
        expect(r.bbox.width).toBeLessThanOrEqual(120);
        expect(r.bbox.height).toBeLessThanOrEqual(90);
        expect(r.mask.reduce((a, b) => a + b, 0)).toBe(r.area);
      }
    }
    // A donor too small for 10% of the host: no region.
    expect(drawRegion(Random.seeded(1), 'rect', { width: 200, height: 200, minFraction: 0.1, maxFraction: 0.4, maxBoxWidth: 10, maxBoxHeight: 10 })).toBeNull();
  });
});

describe('generateSplices', () => {
  it('copies donor pixels under an exact mask, keeps host pixels elsewhere, and writes negatives', async () => {
    const out = await tempDir('splice-out-');
    const m = await generateSplices({ photos: zoo, out, count: 4, seed: 3, maxSize: 128, minSize: 64, jpegQuality: 85 });
    expect(m.items).toHaveLength(4);
    expect(m.sources).toMatchObject({ files: 6, usable: 6, cameras: 3 });
    for (const it of m.items) {
      expect(`${it.host.make}|${it.host.model}`).not.toBe(`${it.donor.make}|${it.donor.model}`);
      const { crop } = it.host;
      expect(crop.width).toBeLessThanOrEqual(128);
      const host = await rgbOf(join(zoo, it.host.path));
      const donor = await rgbOf(join(zoo, it.donor.path));
      const spliced = await rgbOf(join(out, it.files.spliced));
      const authentic = await rgbOf(join(out, it.files.authentic));
      expect((await sharp(join(out, it.files.mask)).metadata()).channels).toBe(1);
      const mask = await sharp(join(out, it.files.mask)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      expect([spliced.width, spliced.height, authentic.width, mask.info.width]).toEqual([crop.width, crop.height, crop.width, crop.width]);
      // Count mismatches in plain loops (an expect per pixel would take seconds).
      let area = 0;
      let badMask = 0;
      let badSpliced = 0;
      let badAuthentic = 0;
      for (let y = 0; y < crop.height; y++) {
        for (let x = 0; x < crop.width; x++) {
          const m8 = mask.data[y * crop.width + x];
          if (m8 !== 0 && m8 !== 255) badMask++;
          const h = ((crop.y + y) * host.width + crop.x + x) * 3;
          const s = (y * crop.width + x) * 3;
          let src = h;
          let img = host.data;
          if (m8 === 255) {
            area++;
            src = ((it.donor.origin.y + y - it.region.bbox.y) * donor.width + it.donor.origin.x + x - it.region.bbox.x) * 3;
            img = donor.data;
          }
          for (let c = 0; c < 3; c++) {
            if (spliced.data[s + c] !== img[src + c]) badSpliced++;
            if (authentic.data[s + c] !== host.data[h + c]) badAuthentic++;
          }
        }
      }
      expect([badMask, badSpliced, badAuthentic]).toEqual([0, 0, 0]);
      expect(area / (crop.width * crop.height)).toBeCloseTo(it.areaFraction, 5);
      expect(it.areaFraction).toBeGreaterThanOrEqual(0.1);
      expect(it.areaFraction).toBeLessThanOrEqual(0.4);
      const jm = await sharp(join(out, it.files.splicedJpeg ?? '')).metadata();
      expect([jm.format, jm.width, jm.height]).toEqual(['jpeg', crop.width, crop.height]);
    }
    const written = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as typeof m;
    expect(written.items).toEqual(m.items);
  });

  it('is deterministic by seed, including other-photo negatives', async () => {
    const a = await tempDir('splice-a-');
    const b = await tempDir('splice-b-');
    const ma = await generateSplices({ photos: zoo, out: a, count: 3, seed: 5, minSize: 64, negatives: 'other', shapes: 'polygon' });
    const mb = await generateSplices({ photos: zoo, out: b, count: 3, seed: 5, minSize: 64, negatives: 'other', shapes: 'polygon' });
    expect(mb).toEqual(ma);
    for (const it of ma.items) {
      expect(it.region.kind).toBe('polygon');
      for (const f of [it.files.spliced, it.files.mask, it.files.authentic]) expect(Buffer.compare(await readFile(join(a, f)), await readFile(join(b, f)))).toBe(0);
    }
  });

  it('skips broken files with named reasons and accounts for every file', async () => {
    const dir = await tempDir('splice-bad-');
    for (const f of (await readdir(join(zoo, 'images'))).slice(0, 4)) await copyFile(join(zoo, 'images', f), join(dir, f));
    const withExif = await makeJpeg({ width: 160, height: 160, exif: CANON_EXIF });
    await writeFiles(dir, {
      'empty.jpg': Buffer.alloc(0),
      'text.jpg': 'not an image at all\n',
      'noexif.jpg': await makeJpeg({ width: 160, height: 160 }),
      'nomodel.jpg': await makeJpeg({ width: 160, height: 160, exif: { IFD0: { Make: 'Canon' } } }),
      'tiny.jpg': await makeJpeg({ width: 40, height: 30, exif: CANON_EXIF }),
      'exif-cut.jpg': truncateExifSegment(withExif),
      // Whole EXIF and header, entropy data cut: readable Make/Model, fails to decode.
      'body-cut.jpg': withExif.subarray(0, withExif.length - 600),
      'notes.txt': 'ignored: not an image name',
    });
    const out = await tempDir('splice-bad-out-');
    const m = await generateSplices({ photos: dir, out, count: 2, seed: 1, minSize: 64, checkAll: true });
    expect(m.items).toHaveLength(2);
    const byFile = Object.fromEntries(m.sources.skippedFiles.map((s) => [s.rel, s.reason]));
    expect(byFile).toMatchObject({ 'empty.jpg': 'empty-file', 'text.jpg': 'unsupported-format', 'noexif.jpg': 'no-exif', 'nomodel.jpg': 'no-make-model', 'tiny.jpg': 'too-small' });
    expect(byFile['exif-cut.jpg']).toMatch(/exif|no-make-model/);
    expect(byFile['body-cut.jpg']).toMatch(/truncated-image|corrupt-image/);
    expect(m.sources.files).toBe(11);
    expect(m.sources.usable + m.sources.skippedFiles.length).toBe(m.sources.files);
  });

  it('says clearly when fewer than two cameras are available', async () => {
    const dir = await tempDir('splice-one-');
    await writeFiles(dir, { 'a.jpg': await makeJpeg({ width: 160, height: 160, exif: CANON_EXIF }), 'b.jpg': await makeJpeg({ width: 160, height: 160, seed: 2, exif: CANON_EXIF }), 'c.jpg': 'junk' });
    const out = await tempDir('splice-one-out-');
    await expect(generateSplices({ photos: dir, out, count: 1, seed: 1 })).rejects.toThrow(/at least two distinct cameras.*1 camera\(s\) \[Canon \/ Canon EOS 40D\].*unsupported-format: 1/);
    await expect(generateSplices({ photos: await tempDir('splice-empty-'), out, count: 1, seed: 1 })).rejects.toThrow(/0 image file/);
  });

  it('rejects bad options', async () => {
    await expect(generateSplices({ photos: zoo, out: zoo, count: 0, seed: 1 })).rejects.toThrow(/count/);
    await expect(generateSplices({ photos: zoo, out: zoo, count: 1, seed: 1, jpegQuality: 101 })).rejects.toThrow(/jpeg-quality/);
    await expect(generateSplices({ photos: zoo, out: zoo, count: 1, seed: 1, minFraction: 0.5, maxFraction: 0.2 })).rejects.toThrow(/fraction/);
    await expect(generateSplices({ photos: join(zoo, 'missing'), out: zoo, count: 1, seed: 1 })).rejects.toThrow(/does not exist/);
    await expect(generateSplices({ photos: join(zoo, 'manifest.csv'), out: zoo, count: 1, seed: 1 })).rejects.toThrow(/not a folder/);
  });
});

describe.skipIf(!hasCorrupt)('the corrupt-JPEG fuzz suite', () => {
  it('passes through the splice generator without a crash or hang, every file accounted for', async () => {
    const dir = await tempDir('splice-corrupt-');
    const names = (await readdir(CORRUPT)).filter((f) => /\.jpe?g$/i.test(f));
    for (const f of names) await copyFile(join(CORRUPT, f), join(dir, `corrupt-${f}`));
    // Two good photos from two cameras so the run gets as far as splicing.
    const imgs = (await readdir(join(zoo, 'images'))).filter((f) => /_c0[01]\.jpg$/.test(f)).slice(0, 2);
    for (const f of imgs) await copyFile(join(zoo, 'images', f), join(dir, f));
    const out = await tempDir('splice-corrupt-out-');
    const m = await generateSplices({ photos: dir, out, count: 2, seed: 2, minSize: 64, checkAll: true });
    expect(m.items).toHaveLength(2);
    expect(m.sources.files).toBe(names.length + imgs.length);
    expect(m.sources.usable + m.sources.skippedFiles.length).toBe(m.sources.files);
    for (const s of m.sources.skippedFiles) expect(s.rel.startsWith('corrupt-')).toBe(true);
  }, 60_000);
});

describe.skipIf(!hasPhotos)('the sample photos', () => {
  it('make cross-camera splices at native resolution from at most 1024 px crops', async () => {
    const out = await tempDir('splice-photos-');
    const m = await generateSplices({ photos: PHOTOS, out, count: 2, seed: 7, jpegQuality: 90 });
    expect(m.sources.cameras).toBeGreaterThan(50);
    for (const it of m.items) {
      expect(it.host.crop.width).toBeLessThanOrEqual(1024);
      expect(it.host.make + it.host.model).not.toBe(it.donor.make + it.donor.model);
    }
    await writeFile(join(out, 'done'), '');
  }, 60_000);
});
