import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { exifFromJson } from '../src/exif/img2dataset.ts';
import { exifToText } from '../src/exif/text.ts';
import { folderSource, listFolder } from '../src/sources/folder.ts';
import { manifestSource } from '../src/sources/manifest.ts';
import type { Sample } from '../src/sources/sample.ts';
import { readShard, splitMemberName } from '../src/sources/webdataset.ts';
import { CANON_EXIF, EXIFREAD_JSON, makeJpeg, makeShard, tempDir, writeFiles } from './fixtures.ts';

async function all(it: AsyncIterable<Sample>): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of it) out.push(s);
  return out;
}

describe('sources', () => {
  it('walks a folder recursively in sorted order, images only, shards included', async () => {
    const dir = await tempDir();
    const jpg = await makeJpeg();
    await writeFiles(dir, { 'b.jpg': jpg, 'a/c.JPEG': jpg, 'a/d.png': jpg, 'notes.txt': 'x', '.hidden.jpg': jpg });
    await makeShard(join(dir, 'shard-000.tar'), [{ key: '000001', jpg }]);
    const l = await listFolder(dir);
    expect(l.ignored.map((p) => p.slice(dir.length + 1))).toEqual(['notes.txt']);
    const ids = (await all(folderSource(dir, l))).map((s) => s.id);
    expect(ids).toEqual(['a/c.JPEG', 'a/d.png', 'b.jpg', 'shard-000.tar#000001']);
  });

  it('reads CSV and JSONL manifests with a path column and extra fields', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'm.csv': 'file,make,license\nimgs/a.jpg,Canon,CC0\n/abs/b.jpg,Nikon,MIT\n',
      'm.jsonl': '{"path":"x.jpg","exif":{"Make":"Sony","FNumber":4}}\n\n{"path":"y.jpg","label":3}\n',
    });
    const csv = await all(manifestSource(join(dir, 'm.csv')));
    expect(csv.map((s) => [s.id, s.path, s.fields])).toEqual([
      ['imgs/a.jpg', join(dir, 'imgs/a.jpg'), { make: 'Canon', license: 'CC0' }],
      ['/abs/b.jpg', '/abs/b.jpg', { make: 'Nikon', license: 'MIT' }],
    ]);
    const jl = await all(manifestSource(join(dir, 'm.jsonl')));
    expect(jl[0].exifJson).toEqual({ Make: 'Sony', FNumber: 4 });
    expect(jl[1].fields).toEqual({ label: 3 });
    await writeFiles(dir, { 'bad.csv': 'name\nfoo\n' });
    await expect(all(manifestSource(join(dir, 'bad.csv')))).rejects.toThrow(/path/);
  });

  it('reads WebDataset shards: image bytes, json fields, img2dataset exif', async () => {
    const dir = await tempDir();
    const jpg = await makeJpeg({ exif: CANON_EXIF });
    await makeShard(join(dir, 's.tar'), [
      { key: '000000', jpg, json: { url: 'http://x', exif: EXIFREAD_JSON } },
      { key: '000001', jpg },
    ]);
    const s = await all(readShard(join(dir, 's.tar'), dir));
    expect(s.map((x) => [x.id, x.member, x.bytes?.length])).toEqual([['s.tar#000000', '000000.jpg', jpg.length], ['s.tar#000001', '000001.jpg', jpg.length]]);
    expect(s[0].fields).toEqual({ url: 'http://x' });
    expect(s[0].exifJson?.['Image Make']).toBe('NIKON CORPORATION');
    expect(splitMemberName('dir/a.b.seg.jpg')).toEqual({ key: 'dir/a', ext: 'b.seg.jpg' });
  });

  it('reports a damaged shard as an error sample after the good ones', async () => {
    const dir = await tempDir();
    const jpg = await makeJpeg();
    await makeShard(join(dir, 's.tar'), [{ key: 'a', jpg }, { key: 'b', jpg }, { key: 'c', jpg }]);
    const { readFile } = await import('node:fs/promises');
    const full = await readFile(join(dir, 's.tar'));
    await writeFiles(dir, { 'cut.tar': full.subarray(0, Math.floor(full.length * 0.6)) });
    const s = await all(readShard(join(dir, 'cut.tar')));
    expect(s.at(-1)?.error).toBeDefined();
    expect(s.filter((x) => !x.error).length).toBeGreaterThanOrEqual(1);
  });

  it('turns img2dataset (exifread) EXIF into exiftool-style text, sensitive tags dropped', () => {
    const rec = exifFromJson(JSON.parse(EXIFREAD_JSON) as Record<string, unknown>);
    expect(rec.tags.Artist).toBeUndefined();
    expect(rec.tags.BodySerialNumber).toBeUndefined();
    expect(rec.tags.GPSLatitude).toBeUndefined();
    expect(exifToText(rec)).toBe(
      'Make: NIKON CORPORATION, Model: NIKON D3200, Lens Specification: 18-55mm f/3.5-5.6, Exposure Time: 1/500, ' +
        'F-Number: 5.6, ISO Speed Ratings: 200, Exposure Bias Value: -1/3, Focal Length: 35.0 mm',
    );
  });
});
