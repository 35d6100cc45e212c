/**
 * Everything a run needs before its first step: the output folder, the resume decision (the
 * newest checkpoint, checked against this config and these images), the data, the model and
 * optimizer (restored when resuming) and the validation patches.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpu } from '@exif-lang/kernels';
import { ExifTokenizer } from '@exif-lang/data';
import { CheckpointDir, ExifClip, loadTrainingCheckpoint, readTrainingCheckpointInfo, type optim } from '@exif-lang/models';
import type { TrainConfig } from './config.ts';
import { prepareData, type RunData } from './data.ts';
import { exifClipConfig } from './model-config.ts';
import { makeOptimizer } from './optimizer.ts';
import { configConflicts, stateFromInfo, type RunState } from './run-state.ts';
import { loadValidationSet, type ValidationSet } from './validation.ts';
import { prepareSpliceValidation, type SpliceValidationSet } from './splice-validation.ts';
import { textOptionsOf } from './text-options.ts';

export interface RunPaths {
  out: string;
  checkpoints: string;
  log: string;
  /** curves.svg / curves.png without the extension */
  curves: string;
  config: string;
}

export function runPaths(out: string): RunPaths {
  return { out, checkpoints: join(out, 'checkpoints'), log: join(out, 'log.jsonl'), curves: join(out, 'curves'), config: join(out, 'config.json') };
}

export interface RunSetup {
  paths: RunPaths;
  checkpoints: CheckpointDir;
  data: RunData;
  tokenizer: ExifTokenizer;
  model: ExifClip;
  optimizer: optim.Adam;
  /** optimizer updates done (the checkpoint's step when resuming) */
  step: number;
  /** the checkpoint resumed from */
  resumedFrom: string | null;
  state: RunState;
  validation: ValidationSet | null;
  /** the validation splice set (data.valSplices), null when off or not possible */
  splices: SpliceValidationSet | null;
  dispose(): void;
}

/** Throws before any work when the folder holds another run or a run this config cannot continue. */
function resumePoint(c: TrainConfig, dir: CheckpointDir, resume: boolean): string | null {
  const latest = dir.latest();
  if (!latest) return null;
  if (!resume) throw new Error(`${c.run.out} holds checkpoints of an earlier run (${latest}); resume it, or pick another --out (or delete the folder) to start over`);
  const info = readTrainingCheckpointInfo(latest);
  const conflicts = configConflicts(info.config, c);
  if (conflicts.length) {
    throw new Error(
      `cannot resume ${latest}: this config differs from the checkpoint's in\n` +
        conflicts.map((d) => `  ${d.path}: ${d.now} here, ${d.saved} in the checkpoint`).join('\n') +
        '\n(to extend a finished run on its old schedule, also pin --set schedule.totalSteps=<old value>; or start over in another --out)',
    );
  }
  return latest;
}

export async function setupRun(gpu: Gpu, c: TrainConfig, resume: boolean, note: (s: string) => void): Promise<RunSetup> {
  const paths = runPaths(c.run.out);
  mkdirSync(paths.out, { recursive: true });
  const checkpoints = new CheckpointDir(paths.checkpoints, { keepLast: c.run.keepLast });
  const from = resumePoint(c, checkpoints, resume);
  writeFileSync(paths.config, `${JSON.stringify(c, null, 2)}\n`);

  const data = await prepareData(c, note);
  const tokenizer = new ExifTokenizer({ maxLength: c.model.text.maxTokens });
  const model = new ExifClip(gpu, exifClipConfig(c, tokenizer.vocabSize));
  let optimizer: optim.Adam | null = null;
  try {
    optimizer = makeOptimizer(model, c);
    let step = 0;
    let state: RunState = { position: { epoch: 0, batch: 0 }, fingerprint: data.fingerprint, elapsed: 0, patches: 0 };
    if (from) {
      const info = loadTrainingCheckpoint(from, { model, optimizer });
      state = stateFromInfo(info);
      step = info.step;
      if (state.fingerprint !== data.fingerprint) {
        throw new Error(`cannot resume ${from}: its training images (${state.fingerprint}) are not these (${data.fingerprint}); the data changed`);
      }
    }
    model.train();
    const validation = c.data.valFraction > 0
      ? await loadValidationSet({
        entries: data.val, seed: c.run.seed, patchSize: c.data.patchSize, workers: c.data.workers, tokenizer, crops: c.data.valCrops, cropAlign: c.data.cropAlign, text: textOptionsOf(c, data.tags, false),
      })
      : null;
    const splices = await prepareSpliceValidation(c, data.source, note);
    const opt = optimizer;
    return {
      paths, checkpoints, data, tokenizer, model, optimizer: opt, step, resumedFrom: from, state, validation, splices,
      dispose() {
        opt.dispose();
        model.dispose();
      },
    };
  } catch (e) {
    optimizer?.dispose();
    model.dispose();
    throw e;
  }
}
