import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { basename, join } from 'node:path';
import { getGpu } from '@exif-lang/kernels';
import { PRESET_NAMES, describeMemory, estimateStepMemory, memoryError, resolveConfig, runSweep, train } from '@exif-lang/train';

export interface TrainCommandOptions {
  preset?: string;
  config?: string;
  set: string[];
  data?: string;
  out?: string;
  steps?: string;
  resume: boolean;
  printConfig?: boolean;
  progress: string;
  sweep?: string;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function steps(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--steps must be a positive integer, got '${v}'`);
  return n;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

const CHILD_MARK = 'EXIFLANG_TRAIN_CHILD';

/**
 * Under the tsx CLI (`pnpm train`), tsx relays SIGINT to this process and SIGKILLs it unless
 * the signal is acknowledged from the event loop within ~60 ms; a trainer sharing 2 cores with
 * lavapipe often stalls longer (measured: 2 of 5 Ctrl-Cs killed the run before its checkpoint).
 * So this process stays idle and runs the trainer in a plain node child (tsx's loader via
 * --import, no relay), forwarding SIGINT; it returns the child's exit code. Null: not under tsx.
 */
async function runOutsideTsxRelay(): Promise<number | null> {
  const underTsxCli = process.execArgv.some((a) => /tsx[\\/]dist[\\/]preflight/.test(a));
  if (!underTsxCli || process.env[CHILD_MARK]) return null;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), ...process.argv.slice(1)], {
    stdio: 'inherit', env: { ...process.env, [CHILD_MARK]: '1' },
  });
  // In a terminal the child gets the Ctrl-C itself as well; it takes a repeat within a second for this echo.
  const forward = () => child.kill('SIGINT');
  process.on('SIGINT', forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        // A trainer killed by a signal prints nothing itself (SIGKILL: usually the kernel's OOM killer).
        if (code === null && signal !== 'SIGINT') process.stderr.write(`exiflang train: the training process was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory? see --print-config and data.chunkSize)' : ''}\n`);
        resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
      });
    });
  } finally {
    process.off('SIGINT', forward);
  }
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('contrastive EXIF-CLIP training: a preset plus overrides; resumes from the output folder, checkpoints, validation retrieval, log.jsonl and curves.png')
    .option('--preset <name>', `starting configuration: ${PRESET_NAMES.join(', ')} (default tiny, or the config file's "preset")`)
    .option('--config <file>', 'JSON config merged over the preset (may name its "preset")')
    .option('--set <key=value>', 'override one field, e.g. --set optimizer.lr=5e-4 (repeatable; values are JSON or plain strings)', collect, [])
    .option('--data <path|synth>', "training data: a folder, manifest, WebDataset shard folder or index .jsonl, or 'synth'")
    .option('--out <dir>', 'run folder (default runs/<preset>)')
    .option('--steps <n>', 'optimizer steps in total')
    .option('--resume', 'continue from the run folder\'s latest checkpoint when there is one (default)', true)
    .option('--no-resume', 'refuse to continue an earlier run in the folder')
    .option('--print-config', 'print the resolved config and exit')
    .option('--progress <mode>', 'auto | bar | lines | off', 'auto')
    .option('--sweep <file>', 'run every configuration of a sweep file (grid or runs), each in <out>/<name>; writes sweep.json, sweep.md, sweep.png (default --out runs/<file name>)')
    .action(async (o: TrainCommandOptions) => {
      await runTrainCommand(o);
    });
}

/**
 * The train command's action (also what `exiflang demo` runs with the tiny preset). Returns
 * 'relayed' when this process only waited for a child that did the work (see below).
 */
export async function runTrainCommand(o: TrainCommandOptions): Promise<'ran' | 'relayed'> {
  if (o.sweep !== undefined) return runSweepCommand(o, o.sweep);
  const { config } = resolveConfig({ preset: o.preset, configFile: o.config, sets: o.set, data: o.data, out: o.out, steps: steps(o.steps) });
  if (o.printConfig) {
    process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    // The step's memory, from two probe passes of a fresh model (memory.ts): no data is read.
    const m = await estimateStepMemory(await getGpu(), config);
    process.stderr.write(`${describeMemory(m)}\n`);
    if (!m.fits) process.stderr.write(`${memoryError(m).message}\n`);
    return 'ran';
  }
  return interruptible(o, async (signal) => {
    const r = await train({ config, resume: o.resume, signal, progress: o.progress as 'auto' });
    const v = r.validation;
    process.stderr.write(
      [
        `${r.interrupted ? 'stopped' : 'done'}: step ${r.step}/${config.run.steps}${r.resumedFrom ? ` (resumed at ${r.startStep})` : ''} in ${r.seconds.toFixed(1)} s`,
        r.firstLoss !== null ? `  loss ${r.firstLoss.toFixed(4)} -> ${r.lastLoss?.toFixed(4)} (first and last logging window)` : null,
        r.patchesPerSec !== null ? `  ${r.patchesPerSec.toFixed(1)} patches/s after the first window` : null,
        v ? `  validation top-1 patch->text ${pct(v.imageToText)}, text->patch ${pct(v.textToImage)} among ${v.n} images (chance ${pct(v.chance)})` : null,
        `  log ${r.log}`,
        r.curves ? `  curves ${r.curves}` : null,
        r.checkpoint ? `  checkpoint ${r.checkpoint}` : null,
      ].filter((l): l is string => l !== null).join('\n') + '\n',
    );
    if (r.interrupted) process.exitCode = 130;
  });
}

/**
 * Runs `work` in the process that does the training (see runOutsideTsxRelay), with Ctrl-C
 * turned into its abort signal; 'relayed' when this process only waited for that child.
 */
async function interruptible(o: TrainCommandOptions, work: (signal: AbortSignal) => Promise<void>): Promise<'ran' | 'relayed'> {
  if (!['auto', 'bar', 'lines', 'off'].includes(o.progress)) throw new Error(`--progress must be auto, bar, lines or off, got '${o.progress}'`);
  const childCode = await runOutsideTsxRelay();
  if (childCode !== null) {
    process.exitCode = childCode;
    return 'relayed';
  }
  const { stop, release } = stopOnSigint();
  try {
    await work(stop.signal);
  } finally {
    release();
  }
  return 'ran';
}

/**
 * First Ctrl-C: finish the step, checkpoint, exit. Another one later: exit at once. tsx
 * (`pnpm train`) relays a terminal's SIGINT to this process again when it has not seen it
 * acknowledged within 30 ms, so a repeat within a second is taken for that echo.
 */
function stopOnSigint(): { stop: AbortController; release: () => void } {
  const stop = new AbortController();
  let firstAt = 0;
  const onSigint = () => {
    if (stop.signal.aborted) {
      if (performance.now() - firstAt > 1000) process.exit(130);
      return;
    }
    firstAt = performance.now();
    process.stderr.write('\ninterrupt: finishing the current step and writing a checkpoint (Ctrl-C again to quit at once)\n');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  return { stop, release: () => process.off('SIGINT', onSigint) };
}

/** `train --sweep FILE`: the sweep's own file says preset, data and overrides; --out picks the folder. */
async function runSweepCommand(o: TrainCommandOptions, file: string): Promise<'ran' | 'relayed'> {
  if (o.preset || o.config || o.set.length || o.data || o.steps || o.printConfig) {
    throw new Error('--sweep takes its preset, data and overrides from the sweep file; only --out and --progress go with it');
  }
  const out = o.out ?? join('runs', basename(file).replace(/\.json$/i, ''));
  return interruptible(o, async (signal) => {
    const r = await runSweep({ file, out, signal, progress: o.progress as 'auto' });
    process.stdout.write(readFileSync(r.markdown, 'utf8'));
    process.stderr.write(`sweep ${r.interrupted ? 'stopped (run it again to continue)' : 'done'}: ${r.json}, ${r.markdown}${r.png ? `, ${r.png}` : ''}\n`);
    if (r.interrupted) process.exitCode = 130;
    else if (r.rows.some((x) => x.status === 'failed')) process.exitCode = 1;
  });
}
