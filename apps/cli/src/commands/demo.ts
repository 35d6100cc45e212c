import type { Command } from 'commander';
import { runKernelBench } from './bench.ts';

/** `pnpm demo`: for now the kernel benchmark (training and localization will take its place). */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main demo; for now: the kernel benchmark against tfjs-backend-webgpu')
    .option('--json <file>', 'also write the benchmark rows as JSON')
    .action((o: { json?: string }) => runKernelBench({ json: o.json, peer: true }));
}
