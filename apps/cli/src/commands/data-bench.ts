import type { Command } from 'commander';
import { runPatchBench } from '@exif-lang/data';

interface Opts {
  patch: string;
  batch: string;
  crops: string;
  workers: string;
  batches: string;
  seed: string;
}

export function registerDataBench(data: Command): void {
  data
    .command('bench')
    .argument('<source>', 'an index .jsonl, a folder, a manifest or a .tar shard')
    .description('patch-stream throughput (decode in workers, crops, normalization, tokenization)')
    .option('--patch <px>', 'patch size', '124')
    .option('--batch <n>', 'patches per batch', '64')
    .option('--crops <k>', 'crops per decoded image', '4')
    .option('--workers <n>', 'decode workers', '2')
    .option('--batches <n>', 'batches to time', '20')
    .option('--seed <s>', 'seed', '0')
    .action(async (source: string, o: Opts) => {
      const r = await runPatchBench(source, {
        patchSize: Number(o.patch), batchSize: Number(o.batch), cropsPerImage: Number(o.crops),
        workers: Number(o.workers), batches: Number(o.batches), seed: Number(o.seed),
      });
      process.stdout.write(`${r.report}\n`);
    });
}
