import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../src/image/decode.ts';
import { CANON_EXIF, CORRUPT, hasCorrupt, makeJpeg, noisePixels, tempDir, writeFiles } from './fixtures.ts';

describe('decodeImage', () => {
  it('returns the exact pixels of a lossless image at native size', async () => {
    const px = noisePixels(37, 23, 5);
    const png = await sharp(px, { raw: { width: 37, height: 23, channels: 3 } }).png().toBuffer();
    const r = await decodeImage(png);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.image.width, r.image.height, r.image.partial]).toEqual([37, 23, false]);
    expect(Buffer.from(r.image.data).equals(px)).toBe(true);
  });

  it('never rotates by EXIF orientation', async () => {
    const jpeg = await makeJpeg({ width: 40, height: 20, exif: { IFD0: { Orientation: '6' } } });
    const r = await decodeImage(jpeg);
    expect(r.ok && [r.image.width, r.image.height]).toEqual([40, 20]);
  });

  it('ignores an embedded ICC profile (no colour conversion)', async () => {
    const jpeg = await makeJpeg({ exif: CANON_EXIF });
    const withP3 = await sharp(jpeg).withIccProfile('p3').jpeg({ quality: 90 }).toBuffer();
    const a = await decodeImage(withP3);
    // what libjpeg decodes, without sharp's profile -> sRGB transform
    const ref = await sharp(withP3).keepIccProfile().raw().toBuffer();
    const converted = await sharp(withP3).raw().toBuffer();
    expect(a.ok && Buffer.from(a.image.data).equals(ref)).toBe(true);
    expect(ref.equals(converted)).toBe(false);
  });

  it('expands greyscale to three equal channels and drops alpha', async () => {
    const g = Buffer.from(Array.from({ length: 12 }, (_, i) => i * 20));
    const grey = await sharp(g, { raw: { width: 4, height: 3, channels: 1 } }).png().toBuffer();
    const r = await decodeImage(grey);
    expect(r.ok && Array.from(r.image.data.subarray(0, 6))).toEqual([0, 0, 0, 20, 20, 20]);
    const rgba = await sharp(Buffer.alloc(4 * 4 * 3, 7), { raw: { width: 4, height: 3, channels: 4 } }).png().toBuffer();
    const a = await decodeImage(rgba);
    expect(a.ok && a.image.data.length).toBe(4 * 3 * 3);
  });

  it('names every failure; a truncated JPEG is rejected unless allowPartial', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'empty.jpg': Buffer.alloc(0), 'text.jpg': 'not an image at all\n' });
    expect(await decodeImage(join(dir, 'nope.jpg'))).toMatchObject({ ok: false, reason: 'read-error' });
    expect(await decodeImage(join(dir, 'empty.jpg'))).toMatchObject({ ok: false, reason: 'empty-file' });
    expect(await decodeImage(join(dir, 'text.jpg'))).toMatchObject({ ok: false, reason: 'unsupported-format' });
    const jpeg = await makeJpeg({ width: 128, height: 128 });
    const cut = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    expect(await decodeImage(cut)).toMatchObject({ ok: false, reason: 'truncated-image' });
    const partial = await decodeImage(cut, { allowPartial: true });
    expect(partial.ok && [partial.image.width, partial.image.partial]).toEqual([128, true]);
    expect(await decodeImage(jpeg.subarray(0, 30))).toMatchObject({ ok: false });
  });
});

describe.skipIf(!hasCorrupt)('decodeImage on ../shared/corrupt-jpegs', () => {
  it('never throws; strict decoding keeps only the files without decoder warnings', async () => {
    const files = readdirSync(CORRUPT).filter((f) => f.endsWith('.jpg'));
    let ok = 0;
    let partial = 0;
    for (const f of files) {
      const strict = await decodeImage(join(CORRUPT, f));
      if (strict.ok) ok++;
      const lax = await decodeImage(join(CORRUPT, f), { allowPartial: true });
      if (lax.ok && lax.image.partial) partial++;
      if (strict.ok) expect(lax.ok && !lax.image.partial).toBe(true);
    }
    expect(files.length).toBe(98);
    expect(ok).toBe(5);
    expect(partial).toBeGreaterThan(0);
  });
});
