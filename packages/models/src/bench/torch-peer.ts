import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
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
}

/** One PyTorch step's phases, ms. */
export interface TorchStepMs {
  total: number;
  forward: number;
  backward: number;
  optimizer: number;
  loss: number;
}

export interface TorchInfo {
  torch: string;
  threads: number;
  parameters: number;
  /** the BLAS library torch mapped (Debian's default libblas.so.3 is the slow reference BLAS) */
  blas: string | null;
}

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
 * scripts/bench/torch_step.py --serve in a child process: it builds the same model, batch and
 * optimizer, then runs one training step per step() call. The benchmark alternates its own
 * steps with these (never at the same time: they share the cores), so background load hits
 * both sides alike.
 */
export class TorchPeer {
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly python: string) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.on('error', (e) => {
      this.stderr += `\n${e.message}`; // e.g. not executable; stdout closes and next() reports it
    });
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
  }

  /** Starts the peer; resolves to the reason instead of throwing when Python or torch is missing. */
  static async start(p: StepPreset, o: TorchPeerOptions = {}): Promise<{ peer: TorchPeer; info: TorchInfo } | { reason: string }> {
    const python = o.python ?? process.env.EXIFLANG_PYTHON ?? '/usr/bin/python3';
    if (!existsSync(python)) return { reason: `${python} not found (set EXIFLANG_PYTHON)` };
    if (!existsSync(TORCH_STEP_SCRIPT)) return { reason: `${TORCH_STEP_SCRIPT} not found (run from a checkout)` };
    const config = {
      image: p.model.image,
      // models.py's DistilBERT has one dropout for hidden states and attention; the presets match it.
      text: { ...p.model.text, dropout: p.model.text.dropout ?? 0.1 },
      batch: p.batch, patch: p.patch, tokens: p.tokens,
      logitScale: p.model.logitScale?.value ?? 100,
    };
    const blas = o.blasDir === undefined ? findCachedBlas() : o.blasDir;
    const env = { ...process.env };
    if (blas) env.LD_LIBRARY_PATH = [blas, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    const args = [TORCH_STEP_SCRIPT, '--serve', '--config', JSON.stringify(config)];
    if (o.threads) args.push('--threads', String(o.threads));
    const peer = new TorchPeer(spawn(python, args, { env, stdio: ['pipe', 'pipe', 'pipe'] }), python);
    try {
      const ready = await peer.next<TorchInfo & { ready?: boolean }>();
      return { peer, info: { torch: ready.torch, threads: ready.threads, parameters: ready.parameters, blas: ready.blas } };
    } catch (e) {
      peer.close();
      const msg = (e as Error).message;
      return { reason: /No module named 'torch'/.test(msg) ? `torch is not installed for ${python}` : msg };
    }
  }

  private async next<T>(): Promise<T> {
    const r = await this.lines.next().catch((e: unknown) => ({ done: true as const, value: String(e) }));
    if (r.done) {
      await new Promise((res) => setTimeout(res, 50)); // let stderr drain
      throw new Error(`torch_step.py ended: ${this.stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}`);
    }
    try {
      return JSON.parse(r.value) as T;
    } catch {
      throw new Error(`torch_step.py printed no JSON: ${r.value.slice(0, 200)}`);
    }
  }

  /** Runs one PyTorch training step and returns its phase times. */
  async step(): Promise<TorchStepMs> {
    this.child.stdin.write('step\n');
    return this.next<TorchStepMs>();
  }

  close(): void {
    if (this.child.exitCode === null && !this.child.killed) {
      this.child.stdin.end();
      this.child.kill();
    }
  }
}
