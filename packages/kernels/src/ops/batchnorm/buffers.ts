import type { Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

/**
 * Output handling shared by the pooling and normalization launchers (their ops record several
 * dispatches, so everything is checked before the first one is recorded).
 */

/** `buf` (checked to hold n elements) or a new pooled buffer of n f32. */
export function outputBuffer(gpu: Gpu, kernel: string, buf: GpuBuffer | undefined, n: number, label: string): GpuBuffer {
  const b = buf ?? gpu.alloc(n * 4, label);
  checkHolds(b, n, kernel, 'output');
  return b;
}

/**
 * Throws unless the named buffers (undefined ones skipped) are pairwise different: one dispatch
 * cannot bind a buffer twice, and checking up front keeps a multi-dispatch op from recording
 * half of its work before the runtime refuses the rest.
 */
export function checkDistinct(kernel: string, named: Record<string, GpuBuffer | undefined>): void {
  const seen = new Map<GpuBuffer, string>();
  for (const [name, b] of Object.entries(named)) {
    if (!b) continue;
    const other = seen.get(b);
    check(other === undefined, kernel, () => `${name} and ${other} are the same buffer '${b.label}'`);
    seen.set(b, name);
  }
}
