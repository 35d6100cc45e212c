import type { Command } from 'commander';
import { bench } from '@exif-lang/models';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
}

function nonNegInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected an integer >= 0, got "${v}"`);
  return n;
}

interface Opts {
  models: string;
  batch?: number;
  tokens?: number;
  reps: number;
  warmup: number;
  peer: boolean;
  python?: string;
  threads?: number;
  json?: string;
  profile?: number;
}

export async function runBenchStep(o: Omit<Opts, 'profile'> & { profile?: number | true }): Promise<void> {
  const models = o.models.split(',').map((s) => s.trim()).filter(Boolean);
  for (const m of models) if (!bench.isStepPreset(m)) throw new Error(`unknown model '${m}' (${Object.keys(bench.STEP_PRESETS).join(', ')})`);
  await bench.runStepBench({
    models: models as bench.StepPresetName[],
    batch: o.batch, tokens: o.tokens, reps: o.reps, warmup: o.warmup, peer: o.peer, json: o.json, profile: o.profile === true ? 25 : o.profile,
    torch: { python: o.python, threads: o.threads },
  });
}

export function registerBenchStep(program: Command): void {
  program
    .command('bench-step')
    .description(
      'training-step benchmark: one EXIF-CLIP step (forward, InfoNCE, backward, Adam) on our GPU device ' +
        'beside PyTorch on this CPU with the same model and batch (scripts/bench/torch_step.py; skipped with a ' +
        'note when torch is missing; scripts/bench/fetch_openblas.sh gives torch an optimized BLAS)',
    )
    .option('--models <list>', `comma-separated presets (${Object.keys(bench.STEP_PRESETS).join(', ')})`, 'small,paper')
    .option('--batch <n>', "override every preset's batch", positiveInt)
    .option('--tokens <n>', "override every preset's tokens per text", positiveInt)
    .option('--reps <n>', 'timed steps (median reported)', positiveInt, 3)
    .option('--warmup <n>', 'untimed steps first (pipeline compiles)', nonNegInt, 1)
    .option('--no-peer', 'skip PyTorch')
    .option('--python <path>', 'interpreter with torch (default $EXIFLANG_PYTHON or /usr/bin/python3)')
    .option('--threads <n>', 'torch threads (default: every core, as lavapipe uses)', positiveInt)
    .option('--json <file>', 'also write the rows as JSON')
    .option('--profile [n]', 'after the timed steps, profile one step kernel by kernel and list the n slowest (default 25)', (v: string) => positiveInt(v))
    .action(runBenchStep);
}
