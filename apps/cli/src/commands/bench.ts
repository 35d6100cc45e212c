import type { Command } from 'commander';
import { runBench, type BenchOptions } from '@exif-lang/kernels';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
}

interface Opts {
  filter?: string;
  reps?: number;
  warmup?: number;
  json?: string;
  peer: boolean;
}

/** Shared by `bench` and (for now) `demo`. */
export async function runKernelBench(o: Opts): Promise<void> {
  const opts: BenchOptions = { filter: o.filter, reps: o.reps, warmup: o.warmup, json: o.json, peer: o.peer };
  await runBench(opts);
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'kernel benchmark: GPU time and GFLOP/s (or GB/s) of our kernels beside tfjs-backend-webgpu ' +
        'running the same ops on the same adapter (table on stdout, progress on stderr)',
    )
    .option('--filter <text>', 'only cases whose "name shape" contains this text (e.g. "matmul 1024")')
    .option('--reps <n>', 'timed repetitions per case (median reported)', positiveInt, 5)
    .option('--warmup <n>', 'untimed runs before timing', positiveInt, 2)
    .option('--json <file>', 'also write the rows as JSON')
    .option('--no-peer', 'skip tfjs')
    .action(runKernelBench);
}
