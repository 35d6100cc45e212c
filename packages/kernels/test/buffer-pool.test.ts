/** The pool's accounting, on a fake device: no GPU work, only the bookkeeping. */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../src/index.ts';

function fakePool(): BufferPool {
  return new BufferPool((capacity) => ({ size: capacity, destroy() {} }) as unknown as GPUBuffer, 1 << 30);
}

describe('BufferPool.takePeakInUse', () => {
  it('reports the high-water mark of bytes in use per window, then restarts at the current use', () => {
    const pool = fakePool();
    const a = pool.acquire(1024, 'a');
    const b = pool.acquire(4096, 'b');
    pool.release(a.buffer, a.capacity);
    // 1024 + 4096 were in use together, though only 4096 are now.
    expect(pool.takePeakInUse()).toBe(1024 + 4096);
    // The next window starts at what is still held.
    expect(pool.takePeakInUse()).toBe(4096);
    pool.release(b.buffer, b.capacity);
    const c = pool.acquire(256, 'c'); // a free-list miss of a smaller class
    expect(pool.takePeakInUse()).toBe(4096);
    expect(pool.takePeakInUse()).toBe(256);
    pool.release(c.buffer, c.capacity);
    expect(pool.takePeakInUse()).toBe(256);
    expect(pool.takePeakInUse()).toBe(0);
    // The monotonic footprint counts free buffers too.
    expect(pool.stats().peakBytes).toBe(1024 + 4096 + 256);
  });
});

describe('BufferPool.takeLargestAcquire', () => {
  it('reports the largest capacity handed out per window, reused buffers included', () => {
    const pool = fakePool();
    const a = pool.acquire(3000, 'a'); // size class 4096
    const b = pool.acquire(100, 'b');
    expect(pool.takeLargestAcquire()).toBe(a.capacity);
    expect(a.capacity).toBeGreaterThanOrEqual(3000);
    expect(pool.takeLargestAcquire()).toBe(0);
    pool.release(a.buffer, a.capacity);
    const c = pool.acquire(3000, 'c'); // served from the free list
    expect(pool.takeLargestAcquire()).toBe(c.capacity);
    pool.release(b.buffer, b.capacity);
    pool.release(c.buffer, c.capacity);
  });
});
