import type { Gpu } from './gpu.ts';

/**
 * GPU timing with timestamp queries. `region(fn)` brackets whatever `fn` records with two
 * timestamp markers (empty compute passes), so the work itself is recorded exactly as usual.
 * `read()` resolves all regions recorded so far and returns their durations in milliseconds.
 * Where the device has no timestamp-query, regions fall back to wall clock around a sync.
 */
export class GpuTimer {
  private readonly querySet: GPUQuerySet | null;
  private regions = 0;
  private readonly wall: number[] = [];

  constructor(
    private readonly gpu: Gpu,
    private readonly capacity = 256,
  ) {
    this.querySet = gpu.hasTimestamps ? gpu.device.createQuerySet({ type: 'timestamp', count: capacity * 2 }) : null;
  }

  get usesTimestamps(): boolean {
    return this.querySet !== null;
  }

  /** Times what `fn` records. Without timestamps it syncs before and after (wall clock). */
  async region(fn: () => void): Promise<void> {
    if (this.regions >= this.capacity) throw new Error(`GpuTimer: more than ${this.capacity} regions; read() first`);
    if (this.querySet) {
      this.gpu.timestampMarker(this.querySet, this.regions * 2);
      fn();
      this.gpu.timestampMarker(this.querySet, this.regions * 2 + 1);
    } else {
      await this.gpu.sync();
      const t0 = performance.now();
      fn();
      await this.gpu.sync();
      this.wall.push(performance.now() - t0);
    }
    this.regions++;
  }

  /** Durations (ms) of all regions since the last read. */
  async read(): Promise<number[]> {
    const n = this.regions;
    this.regions = 0;
    if (!this.querySet) return this.wall.splice(0);
    if (n === 0) return [];
    const resolved = this.gpu.device.createBuffer({ size: n * 16, usage: 0x200 /* QUERY_RESOLVE */ | 0x04 /* COPY_SRC */ });
    const staging = this.gpu.device.createBuffer({ size: n * 16, usage: 0x01 /* MAP_READ */ | 0x08 });
    this.gpu.resolveQueries(this.querySet, n * 2, resolved);
    this.gpu.commandEncoder().copyBufferToBuffer(resolved, 0, staging, 0, n * 16);
    this.gpu.flush();
    await staging.mapAsync(0x0001);
    const t = new BigUint64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    resolved.destroy();
    await this.gpu.checkErrors();
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(Number(t[2 * i + 1] - t[2 * i]) / 1e6);
    return out;
  }

  destroy(): void {
    this.querySet?.destroy();
  }
}
