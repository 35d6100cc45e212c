import type { Command } from 'commander';
import { runTrainCommand } from './train.ts';

/**
 * `pnpm demo`, the main job: train the tiny preset on the built-in synthetic camera zoo
 * (generated into the run folder; a few minutes on lavapipe), resuming if the folder already
 * holds a run. Zero-shot splice localization with the trained model is the next milestone
 * (packages/eval); the kernel benchmark is `pnpm bench`.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main job: train the tiny preset on the synthetic camera zoo (runs/demo), with log, curves and checkpoints')
    .option('--out <dir>', 'run folder', 'runs/demo')
    .option('--steps <n>', 'optimizer steps (default: the tiny preset\'s)')
    .action(async (o: { out: string; steps?: string }) => {
      const how = await runTrainCommand({ preset: 'tiny', set: [], data: 'synth', out: o.out, steps: o.steps, resume: true, progress: 'auto' });
      if (how === 'ran' && !process.exitCode) process.stderr.write('next: splice localization with this model arrives with packages/eval; kernel benchmark: pnpm bench\n');
    });
}
