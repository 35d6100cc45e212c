/** Patch-stream throughput: `exiflang data bench SOURCE` and `pnpm --filter @exif-lang/data bench`. */
import { availableParallelism } from 'node:os';
import { loadStreamEntries } from './entries.ts';
import { PatchStream } from './patch-stream.ts';

export interface BenchOptions {
  patchSize?: number;
  batchSize?: number;
  cropsPerImage?: number;
  workers?: number;
  /** Batches timed after one warm-up batch. */
  batches?: number;
  seed?: number;
}

export interface BenchResult {
  patchesPerSecond: number;
  imagesPerSecond: number;
  batches: number;
  seconds: number;
  report: string;
}

export async function runPatchBench(source: string, options: BenchOptions = {}): Promise<BenchResult> {
  const o = { patchSize: 124, batchSize: 64, cropsPerImage: 4, workers: 2, batches: 20, seed: 0, ...options };
  const { entries } = await loadStreamEntries(source, o.patchSize);
  if (entries.length === 0) throw new Error(`${source}: no usable images`);
  const stream = new PatchStream(entries, {
    batchSize: o.batchSize, patchSize: o.patchSize, cropsPerImage: o.cropsPerImage, workers: o.workers, seed: o.seed, epochs: Infinity,
  });
  let t0 = 0;
  let images0 = 0;
  let n = 0;
  for await (const b of stream) {
    void b;
    if (n === 0) {
      t0 = performance.now(); // after the first batch: workers started, buffer filled
      images0 = stream.stats.images;
    }
    if (n++ >= o.batches) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  const patches = o.batches * o.batchSize;
  const images = stream.stats.images - images0;
  const r = {
    patchesPerSecond: patches / seconds, imagesPerSecond: images / seconds, batches: o.batches, seconds,
    report: '',
  };
  r.report =
    `patch stream: ${r.patchesPerSecond.toFixed(1)} patches/s (${r.imagesPerSecond.toFixed(1)} images decoded/s), ` +
    `${o.batches} batches of ${o.batchSize} x ${o.patchSize}px, K=${o.cropsPerImage} crops/image, ${o.workers} workers, ` +
    `${availableParallelism()} cores, ${entries.length} images, ${seconds.toFixed(1)} s` +
    (Object.keys(stream.stats.skipped).length ? `; skipped ${JSON.stringify(stream.stats.skipped)}` : '');
  return r;
}
