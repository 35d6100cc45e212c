import { getGpu, type Gpu } from '../runtime/gpu.ts';
import { GpuTimer } from '../runtime/timing.ts';
import { loadTfjs } from './peer.ts';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { BenchCase, BenchRow, Tf } from './types.ts';

/**
 * Kernel benchmark: for every case (src/bench/cases/*.ts) and shape, our GPU time (timestamp
 * queries around exactly the recorded dispatches: warm-up runs, then the median of `reps`)
 * beside tfjs-backend-webgpu doing the same operation on the same Dawn adapter in the same
 * process (median of tfjs' own per-kernel timestamp timing, `tf.time().kernelMs`, falling back
 * to wall clock with `await data()` where tfjs reports none; the wall time is kept in the JSON
 * either way). Our reps and tfjs' alternate, so load from other processes hits both alike.
 * Prints a table on stdout, progress on stderr.
 */
export interface BenchOptions {
  /** Only cases whose "name shape" contains this substring. */
  filter?: string;
  /** Timed repetitions per case and side (default 5). */
  reps?: number;
  /** Untimed runs first (pipeline compiles, caches; default 2). */
  warmup?: number;
  /** Also run tfjs (default true). */
  peer?: boolean;
  /** Write the rows (and the setup) to this JSON file. */
  json?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** The table (default: stdout). */
  print?: (line: string) => void;
}

export interface BenchReport {
  adapter: string;
  peerAdapter: string | null;
  timestamps: boolean;
  reps: number;
  warmup: number;
  rows: BenchRow[];
}

/** node:fs, fetched when used: the kernel library (this benchmark included) must load in a browser. */
function nodeFs(): typeof import('node:fs') {
  return process.getBuiltinModule('node:fs');
}

/** Every case of every file in src/bench/cases/, in file order. */
export async function loadBenchCases(): Promise<BenchCase[]> {
  const dir = new URL(/* @vite-ignore */ './cases/', import.meta.url); // read at run time in Node, never bundled
  const files = nodeFs().readdirSync(dir).filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts')).sort();
  const out: BenchCase[] = [];
  for (const f of files) {
    const mod = (await import(new URL(f, dir).href)) as { cases?: unknown };
    if (!Array.isArray(mod.cases)) throw new Error(`bench: ${f} must export \`cases: BenchCase[]\``);
    out.push(...(mod.cases as BenchCase[]));
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function rate(c: BenchCase, ms: number | null): number | null {
  if (ms === null || !(ms > 0)) return null;
  const work = c.flops ?? c.bytes;
  return work === undefined ? null : work / ms / 1e6;
}

interface Timed {
  ours: number[];
  /** tfjs kernelMs per rep (empty when tfjs reported none) */
  peerKernel: number[];
  peerWall: number[];
}

/**
 * Times one case. Our reps and tfjs' reps alternate (each ours rep is synced before tfjs runs),
 * so background load on a shared machine hits both sides alike; tfjs' wall-clock reps follow.
 */
async function timeCase(gpu: Gpu, timer: GpuTimer, tf: Tf | null, c: BenchCase, reps: number, warmup: number, log: (s: string) => void): Promise<Timed> {
  const r = await c.ours(gpu);
  const p = tf && c.peer ? await c.peer(tf) : null;
  const finish = async (t: Tensor | Tensor[]): Promise<void> => {
    const ts = Array.isArray(t) ? t : [t];
    await Promise.all(ts.map((x) => x.data()));
    for (const x of ts) x.dispose();
  };
  try {
    for (let i = 0; i < warmup; i++) {
      r.run();
      await gpu.sync();
      if (p) await finish(p.run());
    }
    const peerKernel: number[] = [];
    for (let i = 0; i < reps; i++) {
      await timer.region(() => r.run());
      await gpu.sync();
      if (tf && p) {
        let out: Tensor | Tensor[] = [];
        const info = await tf.time(() => {
          out = p.run();
        });
        await finish(out);
        if (typeof info.kernelMs === 'number' && info.kernelMs > 0) peerKernel.push(info.kernelMs);
      }
    }
    const ours = await timer.read();
    const peerWall: number[] = [];
    if (p) {
      log(`[bench] ${c.name} ${c.shape}: tfjs wall clock...`);
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        await finish(p.run());
        peerWall.push(performance.now() - t0);
      }
    }
    return { ours, peerKernel: peerKernel.length === reps ? peerKernel : [], peerWall };
  } finally {
    r.teardown?.();
    p?.teardown?.();
    await gpu.sync();
  }
}

const fmt = (x: number | null, digits = 2): string => (x === null ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(digits));

/** The results as an aligned text table. */
export function formatBenchTable(rows: BenchRow[]): string[] {
  const head = ['case', 'shape', 'ours ms', 'ours rate', 'tfjs ms', 'tfjs rate', 'ours/tfjs'];
  const body = rows.map((r) => [
    r.name,
    r.shape,
    fmt(r.oursMs),
    r.oursRate === null ? '-' : `${fmt(r.oursRate)} ${r.unit}`,
    fmt(r.peerMs),
    r.peerRate === null ? '-' : `${fmt(r.peerRate)} ${r.unit}`,
    r.speedup === null ? '-' : `${r.speedup.toFixed(2)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((s, i) => (i < 2 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchReport> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const print = opts.print ?? ((s: string) => process.stdout.write(`${s}\n`));
  const reps = opts.reps ?? 5;
  const warmup = opts.warmup ?? 2;
  if (!(Number.isInteger(reps) && reps >= 1 && reps <= 256)) throw new Error(`bench: reps must be an integer in 1..256, got ${reps}`);
  const all = await loadBenchCases();
  const cases = opts.filter ? all.filter((c) => `${c.name} ${c.shape}`.includes(opts.filter ?? '')) : all;
  if (cases.length === 0) throw new Error(`bench: no case matches '${opts.filter}' (cases: ${all.map((c) => `${c.name} ${c.shape}`).join(', ')})`);

  const gpu = await getGpu();
  const adapter = gpu.adapter.description || gpu.adapter.device || 'unknown adapter';
  let tf: Tf | null = null;
  let peerAdapter: string | null = null;
  if (opts.peer !== false && cases.some((c) => c.peer)) {
    try {
      const loaded = await loadTfjs(gpu);
      tf = loaded.tf;
      peerAdapter = loaded.adapter;
    } catch (e) {
      log(`[bench] tfjs unavailable, running without the peer: ${(e as Error).message}`);
    }
  }
  const timer = new GpuTimer(gpu, Math.max(reps, 1));
  const rows: BenchRow[] = [];
  for (const c of cases) {
    log(`[bench] ${c.name} ${c.shape}: ours${tf && c.peer ? ' and tfjs, alternating' : ''}...`);
    const t = await timeCase(gpu, timer, tf, c, reps, warmup, log);
    const oursSamples = t.ours;
    const oursMs = median(oursSamples);
    const hasPeer = t.peerWall.length > 0;
    const peerSamples = t.peerKernel.length ? t.peerKernel : t.peerWall;
    const peerMs = peerSamples.length ? median(peerSamples) : null;
    const row: BenchRow = {
      name: c.name,
      shape: c.shape,
      oursMs,
      oursSamples,
      oursRate: rate(c, oursMs),
      unit: c.flops !== undefined ? 'GFLOP/s' : c.bytes !== undefined ? 'GB/s' : null,
      peerMs,
      peerSamples,
      peerRate: rate(c, peerMs),
      peerWallMs: hasPeer ? median(t.peerWall) : null,
      peerTiming: hasPeer ? (t.peerKernel.length ? 'tfjs kernelMs (timestamp queries)' : 'wall clock with sync') : null,
      speedup: peerMs !== null && oursMs > 0 ? peerMs / oursMs : null,
    };
    rows.push(row);
    log(`[bench]   ours ${fmt(oursMs)} ms${peerMs !== null ? `, tfjs ${fmt(peerMs)} ms (${fmt(row.speedup)}x)` : ''}`);
  }
  timer.destroy();

  const timing = gpu.hasTimestamps ? 'GPU timestamp queries' : 'wall clock with sync (no timestamp-query)';
  const peerNote = rows.find((r) => r.peerTiming)?.peerTiming;
  print(`adapter: ${adapter}${gpu.adapter.isCpu ? ' (CPU emulation)' : ''}; ours: ${timing}, median of ${reps} after ${warmup} warm-up`);
  if (peerNote) print(`tfjs-backend-webgpu on ${peerAdapter || 'its default adapter'}: ${peerNote}, median of ${reps} after ${warmup} warm-up`);
  for (const l of formatBenchTable(rows)) print(l);
  const report: BenchReport = { adapter, peerAdapter, timestamps: gpu.hasTimestamps, reps, warmup, rows };
  if (opts.json) {
    nodeFs().writeFileSync(opts.json, `${JSON.stringify({ date: new Date().toISOString(), ...report }, null, 2)}\n`);
    log(`[bench] wrote ${opts.json}`);
  }
  return report;
}
