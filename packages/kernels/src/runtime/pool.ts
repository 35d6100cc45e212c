/**
 * Size-bucketed pool of GPU storage buffers.
 *
 * Training allocates the same activation sizes every step, so recycling buffers by size class
 * turns nearly every allocation after the first step into a free-list pop. Size classes are
 * 2^k * {1, 1.25, 1.5, 1.75} (at most 25% waste), with a 256-byte minimum.
 *
 * Reuse in program order is safe without fences: WebGPU orders dispatches and copies recorded
 * into one queue, so a buffer released by op A and handed to op B is only touched by B after
 * A's commands ran. (Uploads with queue.writeBuffer are the exception; `Gpu.upload` flushes
 * pending commands first.)
 */

export const STORAGE_USAGE = 0x80 /* STORAGE */ | 0x04 /* COPY_SRC */ | 0x08; /* COPY_DST */

export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const pow = 2 ** Math.floor(Math.log2(bytes));
  for (const f of [1, 1.25, 1.5, 1.75, 2]) {
    const c = Math.ceil((pow * f) / 256) * 256;
    if (c >= bytes) return c;
  }
  return Math.ceil(bytes / 256) * 256;
}

export interface PoolStats {
  /** acquire() calls */
  requests: number;
  /** requests served from the free list */
  reuses: number;
  /** GPUBuffers created */
  creates: number;
  /** bytes (by capacity) handed out and not yet released */
  bytesInUse: number;
  /** bytes sitting in free lists */
  bytesFree: number;
  /** high-water mark of bytesInUse + bytesFree */
  peakBytes: number;
  /** fraction of requests served by reuse */
  reuseRate: number;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private s = { requests: 0, reuses: 0, creates: 0, bytesInUse: 0, bytesFree: 0, peakBytes: 0 };
  /** high-water mark of bytesInUse since the last takePeakInUse() (what one training step needs) */
  private peakInUse = 0;
  /** the largest single capacity handed out since the last takeLargestAcquire() */
  private largest = 0;

  constructor(
    private readonly create: (capacity: number, label: string) => GPUBuffer,
    private readonly maxBytes: number,
  ) {}

  /** A buffer with capacity >= bytes; `label` names the tensor/kernel for error messages. */
  acquire(bytes: number, label: string): { buffer: GPUBuffer; capacity: number } {
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new Error(`buffer pool: invalid size ${bytes} for ${label}`);
    const capacity = sizeClass(Math.max(bytes, 4));
    if (capacity > this.maxBytes) {
      throw new Error(
        `buffer pool: ${label} needs ${bytes} bytes, more than this device binds in one buffer ` +
          `(maxStorageBufferBindingSize ${this.maxBytes}); use a smaller batch`,
      );
    }
    this.s.requests++;
    const list = this.free.get(capacity);
    let buffer = list?.pop();
    if (buffer) {
      this.s.reuses++;
      this.s.bytesFree -= capacity;
    } else {
      buffer = this.create(capacity, label);
      this.s.creates++;
    }
    this.s.bytesInUse += capacity;
    this.s.peakBytes = Math.max(this.s.peakBytes, this.s.bytesInUse + this.s.bytesFree);
    this.peakInUse = Math.max(this.peakInUse, this.s.bytesInUse);
    this.largest = Math.max(this.largest, capacity);
    return { buffer, capacity };
  }

  release(buffer: GPUBuffer, capacity: number): void {
    let list = this.free.get(capacity);
    if (!list) this.free.set(capacity, (list = []));
    list.push(buffer);
    this.s.bytesInUse -= capacity;
    this.s.bytesFree += capacity;
  }

  /** Destroys every free buffer (returns bytes freed). */
  trim(): number {
    let freed = 0;
    for (const [cap, list] of this.free) {
      for (const b of list) b.destroy();
      freed += cap * list.length;
    }
    this.free.clear();
    this.s.bytesFree = 0;
    return freed;
  }

  /**
   * The most bytes in use at once since the previous call (or since creation), then starts a
   * new window at the current use. peakBytes never falls; this measures one step at a time.
   */
  takePeakInUse(): number {
    const peak = Math.max(this.peakInUse, this.s.bytesInUse);
    this.peakInUse = this.s.bytesInUse;
    return peak;
  }

  /**
   * The largest single buffer (by capacity) acquired since the previous call, then restarts at
   * 0: what a step needs from maxStorageBufferBindingSize.
   */
  takeLargestAcquire(): number {
    const l = this.largest;
    this.largest = 0;
    return l;
  }

  stats(): PoolStats {
    return { ...this.s, reuseRate: this.s.requests ? this.s.reuses / this.s.requests : 0 };
  }
}
