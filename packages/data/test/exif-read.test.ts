import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readExif } from '../src/exif/read.ts';
import { CANON_EXIF, CORRUPT, hasCorrupt, makeJpeg, tempDir, truncateExifSegment, writeFiles } from './fixtures.ts';
import sharp from 'sharp';

describe('readExif', () => {
  it('reads tags from a buffer and from a path, raw values, sensitive tags dropped', async () => {
    const jpeg = await makeJpeg({ exif: CANON_EXIF });
    const r = await readExif(jpeg);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const t = r.record.tags;
    expect(t.Make).toBe('Canon');
    expect(t.Model).toBe('Canon EOS 40D');
    expect(t.ExposureTime).toBeCloseTo(1 / 250, 12);
    expect(t.FNumber).toBeCloseTo(2.8, 12);
    expect(t.ISO).toBe(400);
    expect(t.Flash).toBe(16);
    expect(t.ExposureProgram).toBe(3);
    expect(t.ExposureCompensation).toBeCloseTo(-2 / 3, 12);
    expect(t.Artist).toBeUndefined();
    expect(t.BodySerialNumber).toBeUndefined();
    const dir = await tempDir();
    await writeFiles(dir, { 'a.jpg': jpeg });
    const p = await readExif(join(dir, 'a.jpg'));
    expect(p).toEqual(r);
  });

  it('never keeps a location, even when the file has a GPS IFD', async () => {
    const jpeg = await makeJpeg({
      exif: { ...CANON_EXIF, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2964/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 844/100' } },
    });
    const r = await readExif(jpeg);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.record.tags).filter((k) => /gps|latitude|longitude|altitude/i.test(k))).toEqual([]);
    expect(r.record.tags.Model).toBe('Canon EOS 40D');
  });

  it('names every failure', async () => {
    const dir = await tempDir();
    const plain = await makeJpeg();
    const withExif = await makeJpeg({ exif: CANON_EXIF });
    await writeFiles(dir, { 'empty.jpg': Buffer.alloc(0), 'text.jpg': 'hello, not an image\n' });
    expect(await readExif(join(dir, 'missing.jpg'))).toMatchObject({ ok: false, reason: 'read-error' });
    expect(await readExif(join(dir, 'empty.jpg'))).toMatchObject({ ok: false, reason: 'empty-file' });
    expect(await readExif(join(dir, 'text.jpg'))).toMatchObject({ ok: false, reason: 'unsupported-format' });
    expect(await readExif(plain)).toMatchObject({ ok: false, reason: 'no-exif' });
    expect(await readExif(truncateExifSegment(withExif, 40))).toMatchObject({ ok: false, reason: 'exif-truncated' });
  });

  it('reads PNG and TIFF containers', async () => {
    const raw = await sharp(await makeJpeg({ exif: CANON_EXIF })).keepExif();
    const png = await raw.clone().png().toBuffer();
    const tif = await raw.clone().tiff().toBuffer();
    const r = await readExif(png);
    expect(r.ok && r.record.tags.Model).toBe('Canon EOS 40D');
    // sharp's TIFF writer drops the EXIF IFD; exifr still reads the TIFF's own IFD0.
    const t = await readExif(tif);
    expect(t.ok && t.record.tags.ImageWidth).toBe(64);
  });
});

describe.skipIf(!hasCorrupt)('readExif on ../shared/corrupt-jpegs', () => {
  it('never throws, every file gets a result', async () => {
    const files = readdirSync(CORRUPT).filter((f) => f.endsWith('.jpg'));
    for (const f of files) {
      const r = await readExif(join(CORRUPT, f));
      expect(typeof r.ok).toBe('boolean');
    }
  });
});
