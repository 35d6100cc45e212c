// The probe's label sources on the real photos of ../shared (skipped when it is absent): every
// JPEG has a luminance table whose quality estimate is in 1..100, and folding the Make strings
// merges firmware spellings into fewer brands.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExif } from '@exif-lang/data';
import { estimateJpegQuality } from '../src/probe/jpeg-quality.ts';
import { canonicalMake } from '../src/probe/camera-names.ts';

const PHOTOS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'photos');

describe.skipIf(!existsSync(PHOTOS))('real photos', () => {
  it('JPEG quality estimates and folded makes', async () => {
    const files = readdirSync(PHOTOS).filter((f) => /\.jpe?g$/i.test(f));
    expect(files.length).toBeGreaterThan(100);
    const raw = new Set<string>();
    const folded = new Set<string>();
    for (const f of files) {
      const bytes = readFileSync(join(PHOTOS, f));
      const q = estimateJpegQuality(bytes);
      expect(q, f).toBeGreaterThanOrEqual(1);
      expect(q, f).toBeLessThanOrEqual(100);
      const ex = await readExif(bytes);
      const make = ex.ok && typeof ex.record.tags.Make === 'string' ? ex.record.tags.Make : '';
      if (!make) continue;
      raw.add(make.trim());
      folded.add(canonicalMake(make));
    }
    expect(folded.size).toBeLessThan(raw.size);
    expect(folded.has('nikon')).toBe(true);
  });
});
