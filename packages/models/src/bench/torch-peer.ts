import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { StepPreset } from './step-presets.ts';

/** scripts/bench/torch_step.py in the repository (the benchmark runs from a checkout). */
export const TORCH_STEP_SCRIPT = fileURLToPath(new URL('../../../../scripts/bench/torch_step.py', import.meta.url));
/** Where scripts/bench/fetch_openblas.sh unpacks OpenBLAS (git-ignored). */
const OPENBLAS_CACHE = fileURLToPath(new URL('../../../../.cache/openblas', import.meta.url));

export interface TorchPeerOptions {
  /** the interpreter with torch (default env EXIFLANG_PYTHON, else /usr/bin/python3) */
  python?: string;
  /** a directory holding an optimized libblas.so.3 for torch (default: .cache/openblas if fetched) */
  blasDir?: string | null;
  threads?: number;
  /** per preset (default 1800 s: the paper model with reference BLAS is slow) */
  timeoutMs?: number;
}

export interface TorchRun {
  torch: string;
  threads: number;
  parameters: number;
  blas: string | null;
  /** ms per timed rep */
  samples: { total: number[]; forward: number[]; backward: number[]; optimizer: number[] };
  loss: number;
}

export type TorchResult = { ok: true; run: TorchRun } | { ok: false; reason: string };

/** The unpacked OpenBLAS directory, when scripts/bench/fetch_openblas.sh has run. */
export function findCachedBlas(): string | null {
  const walk = (dir: string, depth: number): string | null => {
    if (depth > 6 || !existsSync(dir)) return null;
    if (existsSync(join(dir, 'libblas.so.3')) && dir.includes('openblas')) return dir;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const hit = walk(join(dir, e.name), depth + 1);
      if (hit) return hit;
    }
    return null;
  };
  return walk(OPENBLAS_CACHE, 0);
}

/**
 * Runs one preset's training step in PyTorch on the CPU (scripts/bench/torch_step.py) in a
 * child process, after ours (never at the same time: they share the cores). Returns the
 * reason instead of throwing when Python or torch is missing, so the benchmark can go on.
 */
export function runTorchStep(p: StepPreset, reps: number, warmup: number, o: TorchPeerOptions = {}): TorchResult {
  const python = o.python ?? process.env.EXIFLANG_PYTHON ?? '/usr/bin/python3';
  if (!existsSync(python)) return { ok: false, reason: `${python} not found (set EXIFLANG_PYTHON)` };
  if (!existsSync(TORCH_STEP_SCRIPT)) return { ok: false, reason: `${TORCH_STEP_SCRIPT} not found (run from a checkout)` };
  const text = p.model.text;
  const config = {
    image: p.model.image,
    // models.py's DistilBERT has one dropout for hidden states and attention; ours match it.
    text: { ...text, dropout: text.dropout ?? 0.1 },
    batch: p.batch, patch: p.patch, tokens: p.tokens, reps, warmup,
    logitScale: p.model.logitScale?.value ?? 100,
  };
  const blas = o.blasDir === undefined ? findCachedBlas() : o.blasDir;
  const env = { ...process.env };
  if (blas) env.LD_LIBRARY_PATH = [blas, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const args = [TORCH_STEP_SCRIPT, '--config', JSON.stringify(config)];
  if (o.threads) args.push('--threads', String(o.threads));
  const r = spawnSync(python, args, { env, encoding: 'utf8', timeout: o.timeoutMs ?? 1_800_000, maxBuffer: 16 << 20 });
  if (r.error) return { ok: false, reason: `${python}: ${r.error.message}` };
  if (r.status !== 0) {
    const err = (r.stderr || '').trim().split('\n').slice(-3).join(' | ');
    return { ok: false, reason: /No module named 'torch'/.test(err) ? `torch is not installed for ${python}` : `torch_step.py exited ${r.status}: ${err}` };
  }
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ok: true, run: JSON.parse(last) as TorchRun };
  } catch {
    return { ok: false, reason: `torch_step.py printed no JSON: ${last.slice(0, 200)}` };
  }
}
