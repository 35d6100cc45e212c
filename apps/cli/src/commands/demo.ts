import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateSplices } from '@exif-lang/data';
import { resolveConfig } from '@exif-lang/train';
import { CheckpointDir } from '@exif-lang/models';
import { runTrainCommand } from './train.ts';
import { runSpliceEval, BASELINES } from './eval-splice.ts';
import { progressBar } from './data-progress.ts';

/**
 * `pnpm demo`, the main job: train the tiny preset on the built-in synthetic camera zoo
 * (generated into the run folder), build cross-camera splices from the zoo images held apart
 * from training (the validation split), localize them with the official procedure, and print
 * the paper-style table for our model beside every baseline, with the pictures and an HTML
 * report. Resumes: a finished run is not trained again, evaluated images are not redone.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main job: train the tiny preset on the synthetic zoo, then localize held-apart cross-camera splices (p-mAP table with baselines, report)')
    .option('--out <dir>', 'run folder', 'runs/demo')
    .option('--steps <n>', 'optimizer steps (default: the tiny preset\'s)')
    .option('--splices <n>', 'spliced images to evaluate (and as many authentic ones)', '10')
    .action(async (o: { out: string; steps?: string; splices: string }) => {
      const how = await runTrainCommand({ preset: 'tiny', set: [], data: 'synth', out: o.out, steps: o.steps, resume: true, progress: 'auto' });
      if (how !== 'ran' || process.exitCode) return;
      const { config } = resolveConfig({ preset: 'tiny', sets: [], data: 'synth', out: o.out, steps: o.steps === undefined ? undefined : Number(o.steps) });
      const zoo = join(o.out, 'data', 'synth');
      const splices = join(o.out, 'splices');
      const count = Number(o.splices);
      if (!existsSync(join(splices, 'manifest.json'))) {
        const bar = progressBar('splices');
        const m = await generateSplices({
          photos: zoo, out: splices, count, seed: 1, split: { keep: 'val', valFraction: config.data.valFraction },
          maxSize: 384, onProgress: bar.update,
        }).finally(() => bar.stop());
        process.stderr.write(`splices: ${m.items.length} cross-camera splices (+ authentic crops) from ${m.sources.usable} held-apart zoo images of ${m.sources.cameras} cameras\n`);
      }
      const checkpoint = new CheckpointDir(join(o.out, 'checkpoints')).latest();
      if (!checkpoint) throw new Error(`${o.out}: the run left no checkpoint`);
      const summary = await runSpliceEval({
        checkpoint, dataset: 'generated', root: splices,
        json: join(o.out, 'splice.json'), report: join(o.out, 'report'), method: 'official', baselines: [...BASELINES],
      });
      process.stdout.write(`p-mAP ours ${summary.ours.pmap.toFixed(3)}; ${Object.entries(summary.baselines).map(([k, v]) => `${k} ${v.pmap.toFixed(3)}`).join(', ')}\n`);
    });
}
