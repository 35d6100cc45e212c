import type { Gpu } from './gpu.ts';

/**
 * A storage buffer handed out by the Gpu's pool. `byteLength` is what was asked for and what
 * gets bound (so WGSL's arrayLength() sees the logical size); `capacity` is the pooled size.
 * Lifetimes are explicit: call release() (or let a scope do it); the GC never frees GPU memory.
 */
export class GpuBuffer {
  private released = false;

  constructor(
    readonly gpu: Gpu,
    readonly buffer: GPUBuffer,
    readonly byteLength: number,
    readonly capacity: number,
    readonly label: string,
  ) {}

  get isReleased(): boolean {
    return this.released;
  }

  /** Number of 4-byte elements (f32/u32/i32). */
  get length(): number {
    return this.byteLength >>> 2;
  }

  /** Binding resource covering the logical size (rounded up to 4 bytes, at least 4). */
  binding(): GPUBufferBinding {
    this.assertLive();
    return { buffer: this.buffer, offset: 0, size: Math.max(4, Math.ceil(this.byteLength / 4) * 4) };
  }

  assertLive(): void {
    if (this.released) throw new Error(`GPU buffer '${this.label}' used after release`);
  }

  /** Returns the buffer to the pool. Releasing twice is a bug and throws. */
  release(): void {
    if (this.released) throw new Error(`GPU buffer '${this.label}' released twice`);
    this.released = true;
    this.gpu.releaseBuffer(this);
  }
}
