/**
 * Per-kernel GPU time: while a profiler is attached (`gpu.startProfile()`), every dispatch runs
 * in a compute pass of its own whose beginning and end write timestamps, so each kernel's GPU
 * time is measured alone. `gpu.stopProfile()` resolves the queries and returns one record per
 * dispatch; `summarizeProfile` groups them by kernel (and the caller's phase) into a table.
 *
 * One pass per dispatch adds a pass boundary (a full barrier) between kernels that normally share
 * a pass, so the profiled run is a little slower than an unprofiled one: use it to see where the
 * time goes, and the wall clock of unprofiled runs for totals.
 */

/** WebGPU caps a query set at 4096 queries: two per dispatch. */
const PAIRS_PER_SET = 2048;

export interface DispatchTime {
  /** kernel name, e.g. "matmul_subgroup" */
  kernel: string;
  /** the dispatch's label (shapes, arguments), '' when none */
  label: string;
  /** the phase set with `profiler.phase` when it was recorded */
  phase: string;
  ms: number;
}

interface QueryChunk {
  set: GPUQuerySet;
  /** the resolve target and the MAP_READ copy of it, once the chunk is full or closed */
  resolved: GPUBuffer | null;
  staging: GPUBuffer | null;
  used: number;
}

/** The encoder operations the profiler needs from the runtime (kept narrow to avoid a cycle). */
export interface ProfilerHost {
  readonly device: GPUDevice;
  /** The command encoder with no compute pass open. */
  commandEncoder(): GPUCommandEncoder;
}

export class KernelProfiler {
  /** Label attached to the dispatches recorded from now on (e.g. "forward", "backward"). */
  phase = '';
  private readonly chunks: QueryChunk[] = [];
  private readonly records: Omit<DispatchTime, 'ms'>[] = [];

  constructor(private readonly host: ProfilerHost) {}

  /** Timestamp writes for the pass of the next dispatch. */
  next(kernel: string, label: string): GPUComputePassTimestampWrites {
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || chunk.used === PAIRS_PER_SET) {
      if (chunk) this.close(chunk);
      chunk = { set: this.host.device.createQuerySet({ type: 'timestamp', count: PAIRS_PER_SET * 2 }), resolved: null, staging: null, used: 0 };
      this.chunks.push(chunk);
    }
    const i = chunk.used++;
    this.records.push({ kernel, label, phase: this.phase });
    return { querySet: chunk.set, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Records the resolve of `chunk`'s queries and their copy into a mappable buffer. */
  private close(chunk: QueryChunk): void {
    if (chunk.staging || chunk.used === 0) return;
    const bytes = chunk.used * 16;
    const resolved = this.host.device.createBuffer({ size: bytes, usage: 0x200 /* QUERY_RESOLVE */ | 0x04 /* COPY_SRC */ });
    chunk.resolved = resolved;
    chunk.staging = this.host.device.createBuffer({ size: bytes, usage: 0x01 /* MAP_READ */ | 0x08 /* COPY_DST */ });
    const enc = this.host.commandEncoder();
    enc.resolveQuerySet(chunk.set, 0, chunk.used * 2, resolved, 0);
    enc.copyBufferToBuffer(resolved, 0, chunk.staging, 0, bytes);
  }

  /**
   * Records the resolves of the open chunk; call, then submit (`flush`), then `collect()`.
   * Split so the runtime can submit between the two.
   */
  closeAll(): void {
    for (const c of this.chunks) this.close(c);
  }

  /** Reads every dispatch's time (after `closeAll` was submitted) and frees the query sets. */
  async collect(): Promise<DispatchTime[]> {
    const out: DispatchTime[] = [];
    let r = 0;
    for (const c of this.chunks) {
      if (!c.staging) continue;
      await c.staging.mapAsync(0x0001 /* READ */);
      const t = new BigUint64Array(c.staging.getMappedRange().slice(0));
      c.staging.unmap();
      c.staging.destroy();
      c.resolved?.destroy();
      for (let i = 0; i < c.used; i++, r++) {
        // Some drivers clamp or reorder timestamps of tiny passes; never report a negative time.
        const ns = t[2 * i + 1] > t[2 * i] ? Number(t[2 * i + 1] - t[2 * i]) : 0;
        out.push({ ...this.records[r], ms: ns / 1e6 });
      }
      c.set.destroy();
    }
    this.chunks.length = 0;
    this.records.length = 0;
    return out;
  }
}

export interface KernelSummaryRow {
  phase: string;
  kernel: string;
  calls: number;
  ms: number;
  /** share of the profile's total GPU time, 0..1 */
  share: number;
  /** the label of this kernel's slowest dispatch, and its time */
  slowestLabel: string;
  slowestMs: number;
}

/** Groups dispatch times by (phase, kernel), slowest group first. */
export function summarizeProfile(times: readonly DispatchTime[]): KernelSummaryRow[] {
  const total = times.reduce((s, t) => s + t.ms, 0) || 1;
  const groups = new Map<string, KernelSummaryRow>();
  for (const t of times) {
    const key = `${t.phase}\u0000${t.kernel}`;
    let g = groups.get(key);
    if (!g) {
      g = { phase: t.phase, kernel: t.kernel, calls: 0, ms: 0, share: 0, slowestLabel: t.label, slowestMs: -1 };
      groups.set(key, g);
    }
    g.calls++;
    g.ms += t.ms;
    if (t.ms > g.slowestMs) {
      g.slowestMs = t.ms;
      g.slowestLabel = t.label;
    }
  }
  const rows = [...groups.values()];
  for (const g of rows) g.share = g.ms / total;
  return rows.sort((a, b) => b.ms - a.ms);
}
