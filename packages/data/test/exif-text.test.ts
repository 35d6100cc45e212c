import { describe, expect, it } from 'vitest';
import { readExif, type ExifRecord } from '../src/exif/read.ts';
import { cFixed, exposureTime, fNumber, fraction, lensInfo } from '../src/exif/print.ts';
import { exifPairs, exifToText } from '../src/exif/text.ts';
import { chooseTags, countTags, parseVocabulary } from '../src/exif/vocab.ts';
import { CANON_EXIF, makeJpeg } from './fixtures.ts';

const rec = (tags: ExifRecord['tags']): ExifRecord => ({ tags });

describe('exiftool-style values', () => {
  it('prints like exiftool', () => {
    expect(exposureTime(1 / 500)).toBe('1/500');
    expect(exposureTime(0.3)).toBe('0.3');
    expect(exposureTime(2)).toBe('2');
    expect(fNumber(4)).toBe('4.0');
    expect(fNumber(0.95)).toBe('0.95');
    expect(fraction(0)).toBe('0');
    expect(fraction(-2 / 3)).toBe('-2/3');
    expect(fraction(0.5)).toBe('+1/2');
    expect(fraction(1)).toBe('+1');
    expect(fraction(0.3)).toBe('+0.3');
    expect(lensInfo([18, 55, 3.5, 5.6])).toBe('18-55mm f/3.5-5.6');
    expect(lensInfo([50, 50, 1.8, 1.8])).toBe('50mm f/1.8');
    // C printf rounds exact ties to even; 3.85 is not a tie in binary (3.8500000000000000888)
    expect(cFixed(2.25, 1)).toBe('2.2');
    expect(cFixed(2.75, 1)).toBe('2.8');
    expect(cFixed(3.85, 1)).toBe('3.9');
    expect(cFixed(-2.25, 1)).toBe('-2.2');
  });
});

describe('exifToText', () => {
  it('writes the paper format from a real JPEG, readable values, no sensitive tags', async () => {
    const r = await readExif(await makeJpeg({ exif: CANON_EXIF }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const text = exifToText(r.record, { tags: ['Make', 'Model', 'Software', 'ExposureTime', 'FNumber', 'ISO', 'FocalLength', 'Flash', 'ExposureProgram', 'MeteringMode', 'WhiteBalance', 'ColorSpace', 'SceneCaptureType', 'ExposureCompensation'] });
    expect(text).toBe(
      'Make: Canon, Model: Canon EOS 40D, Software: Firmware 1.0.3, Exposure Time: 1/250, F-Number: 2.8, ' +
        'Exposure Program: Aperture-priority AE, ISO Speed Ratings: 400, Exposure Bias Value: -2/3, ' +
        'Metering Mode: Multi-segment, Flash: Off, Did not fire, Focal Length: 30.0 mm, White Balance: Auto, ' +
        'Scene Capture Type: Standard, Color Space: sRGB',
    );
    const all = exifToText(r.record);
    expect(all).not.toMatch(/Jane|1234567|Serial|Artist/);
  });

  it('never writes sensitive tags, even from records made elsewhere', () => {
    const r = rec({ Make: 'Nikon', GPSLatitude: 12.5, SerialNumber: '99', Artist: 'x', OwnerName: 'y' });
    expect(exifToText(r, { tags: ['Make', 'GPSLatitude', 'SerialNumber', 'Artist', 'OwnerName'] })).toBe('Make: Nikon');
  });

  const r = rec({ Make: 'Canon', Model: 'EOS', ExposureTime: 0.004, FNumber: 2.8, ISO: 100, Flash: 16 });
  const tags = ['Make', 'Model', 'ExposureTime', 'FNumber', 'ISO', 'Flash'];

  it('subsets, raw values', () => {
    expect(exifToText(r, { tags, subset: 'make-model' })).toBe('Make: Canon, Model: EOS');
    expect(exifToText(r, { tags, subset: 'no-make-model' })).toBe('Exposure Time: 1/250, F-Number: 2.8, ISO Speed Ratings: 100, Flash: Off, Did not fire');
    expect(exifToText(r, { tags, subset: ['Flash', 'Make'] })).toBe('Make: Canon, Flash: Off, Did not fire');
    expect(exifToText(r, { tags, values: 'raw' })).toBe('Make: Canon, Model: EOS, Exposure Time: 0.004, F-Number: 2.8, ISO Speed Ratings: 100, Flash: 16');
  });

  it('shuffle and dropout are seeded and keep at least one pair', () => {
    const a = exifToText(r, { tags, shuffle: true, seed: 7 });
    expect(exifToText(r, { tags, shuffle: true, seed: 7 })).toBe(a);
    const orders = new Set(Array.from({ length: 20 }, (_, s) => exifToText(r, { tags, shuffle: true, seed: s })));
    expect(orders.size).toBeGreaterThan(5);
    const lens = Array.from({ length: 200 }, (_, s) => exifPairs(r, { tags, dropout: 0.5, seed: s }).length);
    expect(Math.min(...lens)).toBeGreaterThanOrEqual(1);
    const mean = lens.reduce((x, y) => x + y, 0) / lens.length;
    expect(mean).toBeGreaterThan(2.4);
    expect(mean).toBeLessThan(3.6);
    expect(() => exifToText(r, { shuffle: true })).toThrow(/seed/);
  });
});

describe('tag vocabulary', () => {
  it('chooses tags by frequency in text order and round-trips through JSON', () => {
    const records = [
      rec({ Model: 'A', Make: 'X', Flash: 0, ISO: 100 }),
      rec({ Model: 'B', Make: 'Y', Flash: 1 }),
      rec({ Model: 'C', Make: 'Z', ISO: 200, SerialNumber: '1' }),
      rec({ Model: 'D', Make: 'W', DateTimeOriginal: '2020:01:01 00:00:00' }),
    ];
    const v = chooseTags(countTags(records), { threshold: 0.5 });
    expect(v.tags).toEqual(['Make', 'Model', 'ISO', 'Flash']);
    expect(v.frequency.Make).toBe(1);
    expect(v.frequency.SerialNumber).toBeUndefined();
    expect(v.frequency.DateTimeOriginal).toBe(0.25); // counted, never chosen: tags.ts has no printer for it
    expect(chooseTags(countTags([...records, rec({ DateTimeOriginal: 'x', Make: 'Q' })]), { threshold: 0.3 }).tags).not.toContain('DateTimeOriginal');
    expect(chooseTags(countTags(records)).tags).toEqual(['Make', 'Model', 'ISO', 'Flash']); // 0.49 default
    expect(chooseTags(countTags(records), { threshold: 0.6 }).tags).toEqual(['Make', 'Model']);
    expect(parseVocabulary(JSON.parse(JSON.stringify(v)))).toEqual(v);
    expect(() => parseVocabulary({ ...v, tags: ['GPSLatitude'] })).toThrow();
    expect(() => parseVocabulary({ ...v, version: 2 })).toThrow();
  });
});
