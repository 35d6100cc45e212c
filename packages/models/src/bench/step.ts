import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { getGpu, summarizeProfile, testing, type DispatchTime, type Gpu, type KernelSummaryRow } from '@exif-lang/kernels';
import { tensor } from '../tensor/create.ts';
import { scopeAsync } from '../tensor/scope.ts';
import { backward } from '../autograd/tape.ts';
import { ExifClip } from '../models/exif-clip.ts';
import { Adam } from '../optim/adam.ts';
import { STEP_PRESETS, isStepPreset, type StepPreset, type StepPresetName } from './step-presets.ts';
import { TorchPeer, type TorchInfo, type TorchPeerOptions } from './torch-peer.ts';

/**
 * Training-step benchmark (issue 3 item 9): one step of EXIF-CLIP training (forward through
 * both towers, symmetric InfoNCE, backward, Adam with the paper's settings) on our GPU device,
 * beside the same model and batch in PyTorch on this machine's CPU, the two stepping in turn.
 * Wall-clock times with a sync after each phase (forward, backward, optimizer), median of
 * `reps` after `warmup` steps (pipeline compiles happen in the warm-up). Table on stdout,
 * progress on stderr.
 */
export interface StepBenchOptions {
  /** presets to run (default: small, paper) */
  models?: StepPresetName[];
  /** override every preset's batch */
  batch?: number;
  /** override every preset's token count */
  tokens?: number;
  reps?: number;
  warmup?: number;
  /** run PyTorch too (default true) */
  peer?: boolean;
  torch?: TorchPeerOptions;
  json?: string;
  /**
   * After the timed steps, profile one more step kernel by kernel (GPU timestamps, each dispatch
   * in a pass of its own) and print the `profile` slowest kernels per model (0: no profile).
   */
  profile?: number;
  log?: (line: string) => void;
  print?: (line: string) => void;
}

export interface PhaseMs {
  total: number;
  forward: number;
  backward: number;
  optimizer: number;
}

export interface StepBenchRow {
  model: StepPresetName;
  description: string;
  batch: number;
  patch: number;
  tokens: number;
  parameters: number;
  /** median per phase, ms */
  ours: PhaseMs;
  oursSamples: number[];
  oursPatchesPerSec: number;
  torch: PhaseMs | null;
  torchSamples: number[];
  torchPatchesPerSec: number | null;
  torchThreads: number | null;
  torchBlas: string | null;
  /** why there is no torch column, when there is none */
  torchNote: string | null;
  /** torch ms / ours ms: > 1 means ours is faster */
  speedup: number | null;
  lossOurs: number;
  /** the profiled step (with --profile): GPU ms summed per phase, and per (phase, kernel), slowest first */
  profile: { gpuMs: PhaseMs; kernels: KernelSummaryRow[] } | null;
}

export interface StepBenchReport {
  adapter: string;
  isCpu: boolean;
  cpu: string;
  cores: number;
  /** 1-minute load average when the benchmark started (a busy machine slows both sides) */
  load: number;
  reps: number;
  warmup: number;
  rows: StepBenchRow[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function medians(runs: readonly PhaseMs[]): PhaseMs {
  return {
    total: median(runs.map((r) => r.total)),
    forward: median(runs.map((r) => r.forward)),
    backward: median(runs.map((r) => r.backward)),
    optimizer: median(runs.map((r) => r.optimizer)),
  };
}

/** Random CLIP-normalised-like NHWC patches and full-length token ids (fixed seeds). */
function inputs(gpu: Gpu, p: StepPreset) {
  const images = tensor(gpu, testing.randNormal(p.batch * p.patch * p.patch * 3, 11), [p.batch, p.patch, p.patch, 3]);
  const vocab = p.model.text.vocab;
  const ids = tensor(gpu, Uint32Array.from(testing.randUniform(p.batch * p.tokens, 12, Math.min(1000, vocab - 1), vocab), Math.floor), [p.batch, p.tokens], 'u32');
  const mask = tensor(gpu, new Uint32Array(p.batch * p.tokens).fill(1), [p.batch, p.tokens], 'u32');
  return { images, ids, mask };
}

/** Our model, optimizer and batch, ready to step. */
function setupOurs(gpu: Gpu, p: StepPreset) {
  const model = new ExifClip(gpu, { ...p.model, seed: 1 });
  model.train();
  // The official optimizer: Adam over every parameter, lr 1e-4, betas (0.9, 0.98), eps 1e-6, wd 1e-4.
  const opt = new Adam(model, { lr: 1e-4, betas: [0.9, 0.98], eps: 1e-6, weightDecay: 1e-4 });
  const x = inputs(gpu, p);
  return {
    model,
    /**
     * One training step, synced after each phase; the loss is read back only when asked.
     * `phase` is told each phase before its work is recorded (the profiler labels by it).
     */
    async step(readLoss: boolean, phase: (name: 'forward' | 'backward' | 'Adam') => void = () => {}): Promise<PhaseMs & { loss: number }> {
      const t0 = performance.now();
      let t1 = 0;
      let t2 = 0;
      let loss = Number.NaN;
      await scopeAsync(async () => {
        phase('forward');
        const r = model.loss(x.images, x.ids, x.mask);
        await gpu.sync();
        t1 = performance.now();
        phase('backward');
        backward(r.loss);
        await gpu.sync();
        t2 = performance.now();
        if (readLoss) loss = await r.loss.item();
      });
      phase('Adam');
      opt.step();
      opt.zeroGrad();
      await gpu.sync();
      const t3 = performance.now();
      return { total: t3 - t0, forward: t1 - t0, backward: t2 - t1, optimizer: t3 - t2, loss };
    },
    /** One more step, every dispatch timed on the GPU (phases: forward, backward, Adam). */
    async profile(): Promise<DispatchTime[]> {
      await gpu.sync();
      const prof = gpu.startProfile();
      try {
        await this.step(false, (name) => {
          prof.phase = name;
        });
      } catch (e) {
        await gpu.stopProfile().catch(() => []); // detach the profiler before reporting the failure
        throw e;
      }
      return gpu.stopProfile();
    },
    dispose(): void {
      opt.dispose();
      model.dispose();
      for (const t of Object.values(x)) t.dispose();
    },
  };
}

const phases = (r: PhaseMs): string =>
  `${(r.total / 1000).toFixed(2)} s (forward ${(r.forward / 1000).toFixed(2)}, backward ${(r.backward / 1000).toFixed(2)}, Adam ${(r.optimizer / 1000).toFixed(2)})`;

interface PresetResult {
  ours: PhaseMs[];
  torch: PhaseMs[];
  torchInfo: TorchInfo | null;
  torchNote: string | null;
  parameters: number;
  loss: number;
  profile: DispatchTime[] | null;
}

/**
 * Steps ours and PyTorch's alternately (warm-up steps first, untimed): each side's step runs
 * alone, and background load on a shared machine falls on both alike.
 */
async function runPreset(gpu: Gpu, name: string, p: StepPreset, reps: number, warmup: number, peer: TorchPeerOptions | null, profile: boolean, log: (s: string) => void): Promise<PresetResult> {
  const started = peer ? TorchPeer.start(p, peer) : null; // builds its model while we build ours
  const ours = setupOurs(gpu, p);
  const res: PresetResult = { ours: [], torch: [], torchInfo: null, torchNote: peer ? null : 'skipped (--no-peer)', parameters: ours.model.parameterCount(), loss: Number.NaN, profile: null };
  const s = started ? await started : null;
  const torch = s && 'peer' in s ? s.peer : null;
  if (s && 'reason' in s) {
    res.torchNote = s.reason;
    log(`[bench-step]   PyTorch skipped: ${s.reason}`);
  }
  if (s && 'info' in s) res.torchInfo = s.info;
  try {
    await gpu.sync();
    for (let i = 0; i < warmup + reps; i++) {
      const what = i < warmup ? `warm-up ${i + 1}` : `rep ${i - warmup + 1}`;
      const o = await ours.step(i === warmup + reps - 1);
      log(`[bench-step]   ${name} ${what} ours:  ${phases(o)}`);
      if (i >= warmup) res.ours.push(o);
      if (i === warmup + reps - 1) res.loss = o.loss;
      if (torch) {
        const t = await torch.step();
        log(`[bench-step]   ${name} ${what} torch: ${phases(t)}`);
        if (i >= warmup) res.torch.push(t);
      }
    }
    if (profile) {
      log(`[bench-step]   ${name}: one more step, profiled kernel by kernel...`);
      res.profile = await ours.profile();
    }
    return res;
  } finally {
    torch?.close();
    ours.dispose();
    await gpu.sync();
  }
}

const s2 = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : (ms / 1000).toFixed(ms < 10_000 ? 2 : 1));
const rate = (x: number | null): string => (x === null ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(x >= 10 ? 1 : 2));

function table(head: string[], body: string[][], leftCols: number): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < leftCols ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

/** The main table and the per-phase table. */
export function formatStepTable(rows: readonly StepBenchRow[]): string[] {
  const main = table(
    ['model', 'batch', 'patch', 'tokens', 'params', 'ours s/step', 'ours patches/s', 'torch s/step', 'torch patches/s', 'ours/torch'],
    rows.map((r) => [
      r.model, String(r.batch), `${r.patch}px`, String(r.tokens), `${(r.parameters / 1e6).toFixed(1)}M`,
      s2(r.ours.total), rate(r.oursPatchesPerSec), s2(r.torch?.total), rate(r.torchPatchesPerSec),
      r.speedup === null ? '-' : `${r.speedup.toFixed(2)}x`,
    ]),
    1,
  );
  const phases = table(
    ['model', 'side', 'forward s', 'backward s', 'Adam s', 'total s'],
    rows.flatMap((r) => [
      [r.model, 'ours', s2(r.ours.forward), s2(r.ours.backward), s2(r.ours.optimizer), s2(r.ours.total)],
      ...(r.torch ? [[r.model, 'torch', s2(r.torch.forward), s2(r.torch.backward), s2(r.torch.optimizer), s2(r.torch.total)]] : []),
    ]),
    2,
  );
  return [...main, '', ...phases];
}

function phaseSums(times: readonly DispatchTime[]): PhaseMs {
  const sum = (ph: string) => times.filter((t) => t.phase === ph).reduce((s, t) => s + t.ms, 0);
  const ms = { forward: sum('forward'), backward: sum('backward'), optimizer: sum('Adam') };
  return { ...ms, total: ms.forward + ms.backward + ms.optimizer };
}

/** The profiled step: GPU time per phase beside the wall clock, then the `top` slowest kernels. */
export function formatProfile(r: StepBenchRow, top: number): string[] {
  if (!r.profile) return [];
  const g = r.profile.gpuMs;
  const ms = (x: number) => x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0);
  const head = [
    `${r.model}: one profiled step, every dispatch in a pass of its own (GPU ms from timestamps; wall = median unprofiled step)`,
    ...table(
      ['phase', 'GPU ms', 'wall ms', 'GPU/wall'],
      ([['forward', g.forward, r.ours.forward], ['backward', g.backward, r.ours.backward], ['Adam', g.optimizer, r.ours.optimizer], ['total', g.total, r.ours.total]] as const).map(
        ([n, a, b]) => [n, ms(a), ms(b), `${((100 * a) / b).toFixed(0)}%`],
      ),
      1,
    ),
    '',
  ];
  const rows = r.profile.kernels.slice(0, top);
  const rest = r.profile.kernels.slice(top);
  const body = rows.map((k) => [k.phase, k.kernel, String(k.calls), ms(k.ms), `${(100 * k.share).toFixed(1)}%`, `${ms(k.slowestMs)} ${k.slowestLabel}`]);
  if (rest.length) {
    const restMs = rest.reduce((s, k) => s + k.ms, 0);
    body.push(['', `(${rest.length} more)`, String(rest.reduce((s, k) => s + k.calls, 0)), ms(restMs), `${(100 * rest.reduce((s, k) => s + k.share, 0)).toFixed(1)}%`, '']);
  }
  return [...head, ...table(['phase', 'kernel', 'calls', 'GPU ms', 'share', 'slowest dispatch (ms, shapes)'], body, 2)];
}

export async function runStepBench(o: StepBenchOptions = {}): Promise<StepBenchReport> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const print = o.print ?? ((s: string) => process.stdout.write(`${s}\n`));
  const reps = o.reps ?? 3;
  const warmup = o.warmup ?? 1;
  if (!(Number.isInteger(reps) && reps >= 1)) throw new Error(`bench-step: reps must be an integer >= 1, got ${reps}`);
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new Error(`bench-step: warmup must be an integer >= 0, got ${warmup}`);
  const names = o.models ?? (['small', 'paper'] as StepPresetName[]);
  for (const n of names) if (!isStepPreset(n)) throw new Error(`bench-step: unknown model '${n}' (${Object.keys(STEP_PRESETS).join(', ')})`);
  const load = loadavg()[0];
  const gpu = await getGpu();
  const rows: StepBenchRow[] = [];
  for (const name of names) {
    const base: StepPreset = STEP_PRESETS[name];
    const p: StepPreset = { ...base, batch: o.batch ?? base.batch, tokens: o.tokens ?? base.tokens };
    log(`[bench-step] ${name} (batch ${p.batch}, ${p.patch} px, ${p.tokens} tokens): ${warmup} warm-up + ${reps} timed steps${o.peer === false ? '' : ', alternating with PyTorch'}...`);
    const r = await runPreset(gpu, name, p, reps, warmup, o.peer === false ? null : (o.torch ?? {}), (o.profile ?? 0) > 0, log);
    const om = medians(r.ours);
    const tm = r.torch.length ? medians(r.torch) : null;
    rows.push({
      model: name, description: p.description, batch: p.batch, patch: p.patch, tokens: p.tokens, parameters: r.parameters,
      ours: om, oursSamples: r.ours.map((x) => x.total), oursPatchesPerSec: (p.batch * 1000) / om.total,
      torch: tm, torchSamples: r.torch.map((x) => x.total), torchPatchesPerSec: tm ? (p.batch * 1000) / tm.total : null,
      torchThreads: r.torchInfo?.threads ?? null, torchBlas: r.torchInfo?.blas ?? null, torchNote: r.torchNote,
      speedup: tm ? tm.total / om.total : null, lossOurs: r.loss,
      profile: r.profile ? { gpuMs: phaseSums(r.profile), kernels: summarizeProfile(r.profile) } : null,
    });
  }
  const adapter = gpu.adapter.description || gpu.adapter.device || 'unknown adapter';
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const cores = cpus().length;
  print(`ours: ${adapter}${gpu.adapter.isCpu ? ' (CPU emulation)' : ''}; wall clock per step with a sync after each phase, median of ${reps} after ${warmup} warm-up (each phase's median taken alone)`);
  const t = rows.find((r) => r.torch);
  if (t) print(`torch: PyTorch ${t.torchThreads} thread(s) on ${cpu} (${cores} cores), BLAS ${t.torchBlas ?? 'unknown'}; same model, batch and optimizer`);
  for (const r of rows) if (r.torchNote) print(`torch (${r.model}): ${r.torchNote}`);
  print(`load average at start: ${load.toFixed(1)} on ${cores} cores${load > cores ? ' (busy machine: both sides slowed)' : ''}`);
  for (const l of formatStepTable(rows)) print(l);
  for (const r of rows) if (r.profile) for (const l of ['', ...formatProfile(r, o.profile ?? 0)]) print(l);
  const report: StepBenchReport = { adapter, isCpu: gpu.adapter.isCpu, cpu, cores, load, reps, warmup, rows };
  if (o.json) {
    writeFileSync(o.json, `${JSON.stringify({ date: new Date().toISOString(), ...report }, null, 2)}\n`);
    log(`[bench-step] wrote ${o.json}`);
  }
  return report;
}
