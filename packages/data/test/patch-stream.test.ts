import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { decodeImage } from '../src/image/decode.ts';
import { CLIP_MEAN, CLIP_STD, randomCrop } from '../src/image/patch.ts';
import type { IndexEntry } from '../src/index/probe.ts';
import { loadStreamEntries } from '../src/stream/entries.ts';
import { PatchStream, type PatchBatch, type PatchStreamOptions } from '../src/stream/patch-stream.ts';
import { DecodePool } from '../src/stream/pool.ts';
import { filterSplit, splitOf } from '../src/stream/split.ts';
import { derivedRng } from '../src/util/rng.ts';
import { makeJpeg, makeShard, tempDir, writeFiles } from './fixtures.ts';

const MAKES = ['Canon', 'Nikon', 'Sony', 'Fujifilm'];
let dir = '';
let entries: IndexEntry[] = [];

beforeAll(async () => {
  dir = await tempDir();
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 12; i++) {
    files[`img${String(i).padStart(2, '0')}.jpg`] = await makeJpeg({
      width: 90 + 7 * i, height: 80 + 5 * i, seed: i + 1,
      exif: { IFD0: { Make: MAKES[i % 4], Model: `${MAKES[i % 4]} M${i}` }, IFD2: { ExposureTime: `1/${100 * (i + 1)}`, FNumber: '4/1' } },
    });
  }
  const broken = await makeJpeg({ width: 120, height: 120, exif: { IFD0: { Make: 'Broken' } } });
  files['broken.jpg'] = broken.subarray(0, Math.floor(broken.length * 0.6));
  files['tiny.jpg'] = await makeJpeg({ width: 20, height: 20, exif: { IFD0: { Make: 'Tiny' } } });
  await writeFiles(dir, files);
  entries = (await loadStreamEntries(dir)).entries;
});

async function collect(opts: Partial<PatchStreamOptions>): Promise<{ batches: PatchBatch[]; stream: PatchStream }> {
  const stream = new PatchStream(entries, { batchSize: 4, patchSize: 32, cropsPerImage: 2, workers: 2, seed: 1, ...opts });
  const batches: PatchBatch[] = [];
  for await (const b of stream) batches.push(b);
  return { batches, stream };
}

function digest(batches: PatchBatch[]): string {
  const h = createHash('sha1');
  for (const b of batches) {
    h.update(new Uint8Array(b.images.buffer, b.images.byteOffset, b.images.byteLength));
    h.update(new Uint8Array(b.ids.buffer));
    h.update(b.sources.join('|') + b.texts.join('|'));
  }
  return h.digest('hex');
}

describe('PatchStream', () => {
  it('yields NHWC float batches with ids/mask, distinct images per batch, and names skipped images', async () => {
    expect(entries.length).toBe(14); // the header check lets broken and tiny through: the stream must cope
    const skips: string[] = [];
    const { batches, stream } = await collect({ onSkip: (s) => skips.push(`${s.id}:${s.reason}`) });
    expect(skips.sort()).toEqual(['broken.jpg:truncated-image', 'tiny.jpg:smaller-than-patch']);
    expect(stream.stats.images).toBe(12);
    expect(stream.stats.patches).toBe(24);
    expect(batches.length * 4 + stream.stats.droppedPatches).toBe(24);
    expect(batches.length).toBeGreaterThanOrEqual(5);
    for (const b of batches) {
      expect(b.images).toBeInstanceOf(Float32Array);
      expect(b.images.length).toBe(4 * 32 * 32 * 3);
      expect(b.ids).toBeInstanceOf(Uint32Array);
      expect(b.ids.length).toBe(4 * b.tokenLength);
      expect(b.mask.length).toBe(4 * b.tokenLength);
      expect(new Set(b.sources).size).toBe(4);
      expect(b.texts[0]).toMatch(/^Make: \w+, Model: /);
      expect(b.ids[0]).toBe(101);
    }
  });

  it('patch values are the CLIP-normalized pixels of the seeded crop', async () => {
    const { batches } = await collect({ cropsPerImage: 1, workers: 0 });
    const b = batches[0];
    const id = b.sources[0];
    const e = entries.find((x) => x.id === id) as IndexEntry;
    const crop = randomCrop(e.width, e.height, 32, derivedRng(1, 'crop', id, 0));
    const d = await decodeImage(join(dir, id));
    if (!d.ok || !crop) throw new Error('fixture');
    for (const [py, px, c] of [[0, 0, 0], [5, 17, 1], [31, 31, 2]]) {
      const v = d.image.data[((crop.y + py) * e.width + crop.x + px) * 3 + c];
      expect(b.images[(py * 32 + px) * 3 + c]).toBeCloseTo((v / 255 - CLIP_MEAN[c]) / CLIP_STD[c], 5);
    }
  });

  it('cropAlign puts every crop corner on the grid, over the whole range; 1 is the unaligned draw', async () => {
    const rng = derivedRng(3, 'align');
    const xs = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const c = randomCrop(100, 70, 32, rng, 8)!;
      expect([c.x % 8, c.y % 8]).toEqual([0, 0]);
      expect(c.x + 32 <= 100 && c.y + 32 <= 70).toBe(true);
      xs.add(c.x);
    }
    expect([...xs].sort((a, b) => a - b)).toEqual([0, 8, 16, 24, 32, 40, 48, 56, 64]); // floor(68 / 8) * 8 = 64
    expect(randomCrop(100, 70, 32, derivedRng(4, 'a'), 1)).toEqual(randomCrop(100, 70, 32, derivedRng(4, 'a')));
    const { batches } = await collect({ cropsPerImage: 1, cropAlign: 8, workers: 0 });
    const b = batches[0];
    const e = entries.find((x) => x.id === b.sources[0]) as IndexEntry;
    const crop = randomCrop(e.width, e.height, 32, derivedRng(1, 'crop', e.id, 0), 8)!;
    const d = await decodeImage(join(dir, e.id));
    if (!d.ok) throw new Error('fixture');
    for (const [py, px, c] of [[0, 0, 0], [5, 17, 1], [31, 31, 2]]) {
      const v = d.image.data[((crop.y + py) * e.width + crop.x + px) * 3 + c];
      expect(b.images[(py * 32 + px) * 3 + c]).toBeCloseTo((v / 255 - CLIP_MEAN[c]) / CLIP_STD[c], 5);
    }
    expect(() => new PatchStream(entries, { batchSize: 4, cropAlign: 0 })).toThrow(/cropAlign must be a positive integer/);
  });

  it('cropsPerStep groups the crops of an image in one batch, crop-major, with one text per image', async () => {
    const K = 2;
    const { batches, stream } = await collect({ cropsPerImage: 4, cropsPerStep: K, workers: 0 });
    expect(stream.stats.patches).toBe(48);
    expect(batches.length * 4 * K + stream.stats.droppedPatches).toBe(48);
    const n = 32 * 32 * 3;
    const decoded = new Map<string, Awaited<ReturnType<typeof decodeImage>>>();
    for (const b of batches) {
      expect(b.cropsPerStep).toBe(K);
      expect(b.batchSize).toBe(4);
      expect(b.images.length).toBe(K * 4 * n);
      expect(b.ids.length).toBe(4 * b.tokenLength);
      expect(new Set(b.sources).size).toBe(4);
    }
    // every patch k x B + b is one of the seeded crops of image b (the crops of a decode, in order)
    for (const b of batches.slice(0, 2)) {
      for (let i = 0; i < 4; i++) {
        const id = b.sources[i];
        const e = entries.find((x) => x.id === id) as IndexEntry;
        if (!decoded.has(id)) decoded.set(id, await decodeImage(join(dir, id)));
        const d = decoded.get(id)!;
        if (!d.ok) throw new Error('fixture');
        const rng = derivedRng(1, 'crop', id, 0);
        const crops = Array.from({ length: 4 }, () => randomCrop(e.width, e.height, 32, rng)!);
        const at = (crop: { x: number; y: number }, py: number, px: number, c: number) => (d.image.data[((crop.y + py) * e.width + crop.x + px) * 3 + c] / 255 - CLIP_MEAN[c]) / CLIP_STD[c];
        const matches = (k: number, crop: { x: number; y: number }) =>
          [[0, 0, 0], [7, 19, 1], [31, 31, 2]].every(([py, px, c]) => Math.abs(b.images[(k * 4 + i) * n + (py * 32 + px) * 3 + c] - at(crop, py, px, c)) < 1e-5);
        // crops 0,1 of a decode form one group and 2,3 the other
        const group = [0, 1].every((k) => matches(k, crops[k])) ? 0 : [0, 1].every((k) => matches(k, crops[2 + k])) ? 1 : -1;
        expect(group, `${id} in batch ${b.index}`).toBeGreaterThanOrEqual(0);
      }
    }
    expect(() => new PatchStream(entries, { batchSize: 4, cropsPerImage: 3, cropsPerStep: 2 })).toThrow(/divisor/);
    expect(() => new PatchStream(entries, { batchSize: 4, cropsPerImage: 2, cropsPerStep: 2, distinctImages: false })).toThrow(/distinctImages/);
  });

  it('same seed, same batches whatever the worker count; another seed differs', async () => {
    const a = digest((await collect({ workers: 2 })).batches);
    expect(digest((await collect({ workers: 0 })).batches)).toBe(a);
    expect(digest((await collect({ workers: 3, prefetch: 9 })).batches)).toBe(a);
    expect(digest((await collect({ workers: 2, seed: 2 })).batches)).not.toBe(a);
  });

  it('runs several epochs, allows a final partial batch, shuffles/drops tags when asked', async () => {
    const { batches, stream } = await collect({ epochs: 2, dropLast: false, cropsPerImage: 1, workers: 0, text: { shuffle: true, dropout: 0.3 } });
    expect(stream.stats.images).toBe(24);
    expect(batches.reduce((n, b) => n + b.batchSize, 0)).toBe(24);
    expect(batches.at(-1)?.epoch).toBe(1);
    expect(batches.some((b) => b.texts.some((t) => !t.startsWith('Make')))).toBe(true);
  });

  it('stops cleanly when the consumer breaks out early (workers terminated)', async () => {
    const stream = new PatchStream(entries, { batchSize: 2, patchSize: 32, workers: 2, epochs: Infinity, seed: 3 });
    let n = 0;
    for await (const b of stream) {
      void b;
      if (++n === 7) break;
    }
    expect(n).toBe(7);
  });

  it('reads images from WebDataset shards listed in an index', async () => {
    const d = await tempDir();
    const shard = join(d, 's.tar');
    const samples = [];
    for (let i = 0; i < 6; i++) samples.push({ key: `k${i}`, jpg: await makeJpeg({ width: 64, height: 64, seed: 50 + i, exif: { IFD0: { Make: `M${i}` } } }) });
    await makeShard(shard, samples);
    const { entries: tarEntries } = await loadStreamEntries(shard);
    expect(tarEntries.map((e) => e.member)).toEqual(['k0.jpg', 'k1.jpg', 'k2.jpg', 'k3.jpg', 'k4.jpg', 'k5.jpg']);
    const stream = new PatchStream(tarEntries, { batchSize: 3, patchSize: 32, cropsPerImage: 1, workers: 1, seed: 0, text: { subset: ['Make'] } });
    const got: string[] = [];
    for await (const b of stream) got.push(...b.texts);
    expect(got.sort()).toEqual(['Make: M0', 'Make: M1', 'Make: M2', 'Make: M3', 'Make: M4', 'Make: M5']);
  });
});

describe('split by image', () => {
  it('is a deterministic partition by id with about the asked fraction', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => ({ id: `photos/${i}.jpg` }));
    const val = filterSplit(ids, 'val', 0.2);
    const train = filterSplit(ids, 'train', 0.2);
    expect(val.length + train.length).toBe(2000);
    expect(val.length).toBeGreaterThan(340);
    expect(val.length).toBeLessThan(460);
    expect(splitOf('photos/7.jpg', 0.2)).toBe(splitOf('photos/7.jpg', 0.2));
    expect(filterSplit(ids, 'val', 0)).toEqual([]);
  });
});

describe('DecodePool', () => {
  it('starts real worker threads under vitest (tsx loader) and survives a timeout', async () => {
    const big = await makeJpeg({ width: 1500, height: 1500 });
    const pool = new DecodePool({ workers: 1, timeoutMs: 1 });
    expect(pool.mode).toBe('workers');
    const r = await pool.run({ seq: 0, id: 'big', path: '', bytes: big, crops: [{ x: 0, y: 0, size: 8 }], allowPartial: false });
    expect(r).toMatchObject({ ok: false, reason: 'timeout' });
    expect(pool.restarts).toBe(1);
    await pool.close();
    const ok = new DecodePool({ workers: 1 });
    const r2 = await ok.run({ seq: 1, id: 'big', path: '', bytes: big, crops: [{ x: 3, y: 4, size: 8 }], allowPartial: false });
    expect(r2.ok && r2.patches[0].length).toBe(8 * 8 * 3);
    await ok.close();
  });
});
