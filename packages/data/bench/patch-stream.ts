/**
 * Patch-stream throughput on this machine: `pnpm --filter @exif-lang/data bench [SOURCE] [--workers N] ...`
 * SOURCE defaults to ../shared/photos next to the repository; without it, 24 synthetic
 * 1600x1200 JPEGs are written to a temporary folder so the figure is always obtainable.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { runPatchBench } from '../src/stream/bench.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    workers: { type: 'string', default: '2' }, batch: { type: 'string', default: '64' }, crops: { type: 'string', default: '4' },
    patch: { type: 'string', default: '124' }, batches: { type: 'string', default: '20' },
  },
});

async function syntheticFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'exif-lang-bench-'));
  for (let i = 0; i < 24; i++) {
    const w = 1600;
    const h = 1200;
    const px = Buffer.alloc(w * h * 3);
    for (let j = 0; j < px.length; j++) px[j] = (j * 2654435761 + i * 97) >>> 24;
    const jpg = await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 92 })
      .withExif({ IFD0: { Make: `Make${i % 4}`, Model: `Model ${i}` } }).toBuffer();
    await writeFile(join(dir, `synthetic-${i}.jpg`), jpg);
  }
  return dir;
}

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, '../../../../shared/photos');
const source = positionals[0] ?? (existsSync(shared) ? shared : await syntheticFolder());
const r = await runPatchBench(source, {
  workers: Number(values.workers), batchSize: Number(values.batch), cropsPerImage: Number(values.crops),
  patchSize: Number(values.patch), batches: Number(values.batches),
});
process.stdout.write(`${source}\n${r.report}\n`);
