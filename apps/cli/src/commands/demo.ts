import type { Command } from 'commander';
import { runKernelBench } from './bench.ts';

/**
 * `pnpm demo`: for now the kernel benchmark (training and localization will take its place),
 * with 3 timed reps after 1 warm-up so that every case stays affordable on lavapipe.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main demo; for now: the kernel benchmark against tfjs-backend-webgpu')
    .option('--json <file>', 'also write the benchmark rows as JSON')
    .action((o: { json?: string }) => runKernelBench({ json: o.json, reps: 3, warmup: 1, peer: true }));
}
