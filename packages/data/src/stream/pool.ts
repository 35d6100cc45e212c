/**
 * Decode workers. Sources are TypeScript run without a build step, so a worker thread needs the
 * tsx loader. A worker gets none of its parent's module hooks, and `--import tsx` in its
 * execArgv did not cover the entry module under vitest, so the entry is a small JavaScript file
 * (decode-worker-boot.mjs) that registers tsx through its API and then imports the TypeScript
 * worker; this works under the tsx CLI, vitest and plain node alike. If no worker can be started
 * the pool decodes inline, slower but identical in output.
 *
 * Every job has a time limit: a worker stuck on a hostile file is terminated and replaced, the
 * job fails with reason 'timeout', and the other jobs it held are queued again.
 */
import { Worker } from 'node:worker_threads';
import type { DecodeJob, DecodeJobResult } from './job.ts';
import { runDecodeJob } from './run-job.ts';

export interface DecodePoolOptions {
  /** Worker threads (0 = decode inline on the main thread). */
  workers: number;
  /** Jobs queued in each worker at once (prefetch depth). */
  perWorker?: number;
  /** Per-job limit in ms (default 30 s). */
  timeoutMs?: number;
}

interface Pending {
  job: DecodeJob;
  resolve: (r: DecodeJobResult) => void;
  attempts: number;
}

interface Slot {
  worker: Worker;
  inflight: Map<number, { p: Pending; timer: NodeJS.Timeout }>;
}

const WORKER_URL = new URL('./decode-worker-boot.mjs', import.meta.url);

export class DecodePool {
  readonly mode: 'workers' | 'inline';
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly perWorker: number;
  private readonly timeoutMs: number;
  private closed = false;
  /** Workers replaced after a timeout or a crash. */
  restarts = 0;

  constructor(options: DecodePoolOptions) {
    this.perWorker = Math.max(1, options.perWorker ?? 2);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    let mode: 'workers' | 'inline' = options.workers > 0 ? 'workers' : 'inline';
    if (mode === 'workers') {
      try {
        for (let i = 0; i < options.workers; i++) this.slots.push(this.spawn());
      } catch {
        for (const s of this.slots) void s.worker.terminate();
        this.slots.length = 0;
        mode = 'inline';
      }
    }
    this.mode = mode;
  }

  /** Decodes one job; never rejects (failures are results). */
  run(job: DecodeJob): Promise<DecodeJobResult> {
    if (this.closed) return Promise.resolve({ seq: job.seq, ok: false, reason: 'pool-closed', detail: 'decode pool closed' });
    if (this.mode === 'inline') {
      return runDecodeJob(job).catch((e: unknown) => ({ seq: job.seq, ok: false as const, reason: 'decode-error', detail: String(e) }));
    }
    return new Promise((resolve) => {
      this.queue.push({ job, resolve, attempts: 0 });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.resolve({ seq: p.job.seq, ok: false, reason: 'pool-closed', detail: 'decode pool closed' });
    await Promise.all(this.slots.map((s) => this.retire(s, 'pool-closed')));
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, inflight: new Map() };
    worker.on('message', (r: DecodeJobResult) => {
      const f = slot.inflight.get(r.seq);
      if (!f) return;
      clearTimeout(f.timer);
      slot.inflight.delete(r.seq);
      f.p.resolve(r);
      this.dispatch();
    });
    const crashed = (why: string) => {
      if (this.closed || !this.slots.includes(slot)) return;
      this.replace(slot, why);
    };
    worker.on('error', (e) => crashed(`worker error: ${e.message}`));
    worker.on('exit', (code) => crashed(`worker exited with code ${code}`));
    return slot;
  }

  /** Terminates a slot's worker; its jobs fail with `reason` (none are re-queued). */
  private async retire(slot: Slot, reason: string): Promise<void> {
    for (const [seq, f] of slot.inflight) {
      clearTimeout(f.timer);
      f.p.resolve({ seq, ok: false, reason, detail: reason });
    }
    slot.inflight.clear();
    await slot.worker.terminate();
  }

  /** Replaces a stuck or dead worker; its other jobs are retried once on a fresh one. */
  private replace(slot: Slot, why: string, except?: number): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.restarts++;
    const retry: Pending[] = [];
    for (const [seq, f] of slot.inflight) {
      clearTimeout(f.timer);
      if (seq === except) continue;
      if (f.p.attempts >= 1) f.p.resolve({ seq, ok: false, reason: 'worker-crashed', detail: why });
      else retry.push({ ...f.p, attempts: f.p.attempts + 1 });
    }
    slot.inflight.clear();
    void slot.worker.terminate();
    this.slots[i] = this.spawn();
    this.queue.unshift(...retry);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const s of this.slots) if (s.inflight.size < this.perWorker && (!best || s.inflight.size < best.inflight.size)) best = s;
      if (!best) return;
      const slot = best;
      const p = this.queue.shift() as Pending;
      const timer = setTimeout(() => {
        slot.inflight.delete(p.job.seq);
        p.resolve({ seq: p.job.seq, ok: false, reason: 'timeout', detail: `decoding took longer than ${this.timeoutMs} ms` });
        this.replace(slot, 'timeout of another job');
      }, this.timeoutMs);
      slot.inflight.set(p.job.seq, { p, timer });
      slot.worker.postMessage(p.job);
    }
  }
}
