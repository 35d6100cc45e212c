import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildIndex, readIndex, readVocabulary } from '../src/index/build.ts';
import { corpusStats, percentile } from '../src/index/stats.ts';
import { decodeImage } from '../src/image/decode.ts';
import { readExif } from '../src/exif/read.ts';
import { CANON_EXIF, EXIFREAD_JSON, makeJpeg, makeShard, shortenExifSegment, tempDir, writeFiles } from './fixtures.ts';

describe('buildIndex', () => {
  it('indexes usable images and names the reason for every other file', async () => {
    const dir = await tempDir();
    const good = await makeJpeg({ width: 160, height: 140, exif: CANON_EXIF });
    const cutExif = shortenExifSegment(good, 30);
    expect((await decodeImage(cutExif)).ok).toBe(true); // the pixels are fine...
    expect(await readExif(cutExif)).toMatchObject({ ok: false, reason: 'exif-truncated' }); // ...the EXIF is not
    await writeFiles(dir, {
      'good.jpg': good,
      'sub/noexif.jpg': await makeJpeg({ width: 160, height: 140 }),
      'small.jpg': await makeJpeg({ width: 100, height: 200, exif: CANON_EXIF }),
      'empty.jpg': Buffer.alloc(0),
      'text.jpg': 'definitely not a JPEG\n',
      'truncated.jpg': good.subarray(0, Math.floor(good.length * 0.7)),
      'exifcut.jpg': cutExif,
      'README.md': '# not an image',
    });
    await makeShard(join(dir, 'web.tar'), [
      { key: 'k0', jpg: await makeJpeg({ width: 130, height: 130 }), json: { exif: EXIFREAD_JSON } },
      { key: 'k1', jpg: await makeJpeg({ width: 130, height: 130 }) },
    ]);
    const out = join(dir, 'out', 'index.jsonl');
    await (await import('node:fs/promises')).mkdir(join(dir, 'out'));
    const seen: number[] = [];
    const { summary, vocabulary } = await buildIndex(dir, out, { minSize: 124, onProgress: (d) => seen.push(d) });
    expect(summary.total).toBe(9);
    expect(summary.indexed + summary.skippedFiles.length).toBe(summary.total);
    expect(summary.ignoredFiles).toBe(1);
    expect(seen.at(-1)).toBe(9);
    const reasons = Object.fromEntries(summary.skippedFiles.map((s) => [s.id, s.reason]));
    expect(reasons).toEqual({
      'sub/noexif.jpg': 'no-exif', 'small.jpg': 'smaller-than-patch', 'empty.jpg': 'empty-file', 'text.jpg': 'unsupported-format',
      'truncated.jpg': 'truncated-image', 'exifcut.jpg': 'exif-truncated', 'web.tar#k1': 'no-exif',
    });
    expect(summary.skipped).toMatchObject({ 'no-exif': 2, 'smaller-than-patch': 1 });

    const entries = await readIndex(out);
    expect(entries.map((e) => [e.id, e.width, e.height, e.exifFrom])).toEqual([['good.jpg', 160, 140, 'image'], ['web.tar#k0', 130, 130, 'json']]);
    expect(entries[0].text).toMatch(/^Make: Canon, Model: Canon EOS 40D, /);
    expect(entries[1].text).toMatch(/^Make: NIKON CORPORATION, Model: NIKON D3200/);
    expect(entries[0].bytes).toBe(good.length);
    expect(JSON.stringify(entries)).not.toMatch(/Jane Doe|1234567/);
    const v = await readVocabulary(join(dir, 'out', 'index.vocab.json'));
    expect(v).toEqual(vocabulary);
    expect(v.tags.slice(0, 2)).toEqual(['Make', 'Model']);
    const saved = JSON.parse(await readFile(join(dir, 'out', 'index.summary.json'), 'utf8')) as { total: number };
    expect(saved.total).toBe(9);

    // a fixed vocabulary from elsewhere decides the texts
    const out2 = join(dir, 'out', 'fixed.jsonl');
    await buildIndex(dir, out2, { vocabulary: { ...v, tags: ['Model'] } });
    expect((await readIndex(out2))[0].text).toBe('Model: Canon EOS 40D');
  });

  it('corpus stats: percentiles, chosen tags, truncation count', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    const s = corpusStats([{ Make: 'Canon', Model: 'EOS' }, { Make: 'Nikon', Model: 'D3200', FNumber: 4 }, { Make: 'Sony' }], { maxLength: 8 });
    expect(s.vocabulary.tags).toEqual(['Make', 'Model']);
    expect(s.tokenLengths.max).toBe(12); // [CLS] make : nik ##on , model : d ##32 ##00 [SEP]
    expect(s.truncated).toBe(2); // 9 and 12 tokens > 8
  });
});
