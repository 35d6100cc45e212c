/** Runs over ../shared (photos, corrupt-jpegs); skips cleanly when it is absent. */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readExif } from '../src/exif/read.ts';
import { exifToText } from '../src/exif/text.ts';
import { buildIndex } from '../src/index/build.ts';
import type { StreamEntry } from '../src/stream/order.ts';
import { PatchStream } from '../src/stream/patch-stream.ts';
import { CORRUPT, PHOTOS, hasCorrupt, hasPhotos, makeJpeg, tempDir, writeFiles } from './fixtures.ts';

describe.skipIf(!hasPhotos)('../shared/photos', () => {
  it('reads EXIF (Make and Model) from all 131 photos and writes their texts', async () => {
    const files = readdirSync(PHOTOS).filter((f) => f.endsWith('.jpg'));
    expect(files.length).toBe(131);
    for (const f of files) {
      const r = await readExif(join(PHOTOS, f));
      expect(r.ok, f).toBe(true);
      if (!r.ok) continue;
      expect(r.record.tags.Make, f).toBeTypeOf('string');
      expect(r.record.tags.Model, f).toBeTypeOf('string');
      expect(exifToText(r.record)).toMatch(/^Make: .+, Model: /);
    }
  });
});

describe.skipIf(!hasCorrupt)('../shared/corrupt-jpegs', () => {
  const files = hasCorrupt ? readdirSync(CORRUPT).filter((f) => f.endsWith('.jpg')).sort() : [];

  it('index accounts for every file, each skip with a reason', async () => {
    const out = join(await tempDir(), 'corrupt.jsonl');
    const { summary } = await buildIndex(CORRUPT, out, { timeoutMs: 20_000 });
    expect(summary.total).toBe(files.length);
    expect(summary.indexed + summary.skippedFiles.length).toBe(files.length);
    for (const s of summary.skippedFiles) expect(s.reason).toMatch(/^[a-z-]+$/);
    // reasons do not depend on what else was decoding at the same time
    const again = await buildIndex(CORRUPT, `${out}.c4.jsonl`, { timeoutMs: 20_000, concurrency: 4 });
    const reasons = (x: typeof summary) => Object.fromEntries(x.skippedFiles.map((f) => [f.id, f.reason]));
    expect(reasons(again.summary)).toEqual(reasons(summary));
  });

  it('the patch stream decodes around every broken file without a hang or a lost batch', async () => {
    const dir = await tempDir();
    const good: Record<string, Buffer> = {};
    for (let i = 0; i < 6; i++) good[`good${i}.jpg`] = await makeJpeg({ width: 64, height: 64, seed: i + 3 });
    await writeFiles(dir, good);
    const entries: StreamEntry[] = [];
    for (const f of files) {
      // Take the header's size when sharp can read it, else claim one: the stream must cope either way.
      const m = await sharp(join(CORRUPT, f), { failOn: 'none' }).metadata().catch(() => undefined);
      entries.push({ id: f, path: join(CORRUPT, f), width: m?.width ?? 256, height: m?.height ?? 256, exif: { Make: 'Broken' } });
    }
    for (const f of Object.keys(good)) entries.push({ id: f, path: join(dir, f), width: 64, height: 64, exif: { Make: 'Good' } });
    const skipped = new Set<string>();
    const stream = new PatchStream(entries, {
      batchSize: 4, patchSize: 32, cropsPerImage: 1, workers: 2, seed: 5, timeoutMs: 20_000, onSkip: (s) => skipped.add(s.id),
    });
    let patches = 0;
    for await (const b of stream) patches += b.batchSize;
    expect(stream.stats.images + skipped.size).toBe(entries.length);
    expect(patches + stream.stats.droppedPatches).toBe(stream.stats.patches);
    expect(stream.stats.images).toBeGreaterThanOrEqual(6);
    expect(patches).toBeGreaterThanOrEqual(4);
  });
});
