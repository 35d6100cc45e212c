import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, createGpu, unary, GpuError, GpuTimer, kernelFromSource, sizeClass, packParams, u, f, grid, type Gpu } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

describe('buffer pool', () => {
  it('size classes waste at most 25% and are 256-byte aligned', () => {
    for (const n of [1, 255, 256, 257, 1000, 4096, 5000, 1 << 20, (1 << 20) + 1, 123456789]) {
      const c = sizeClass(n);
      expect(c).toBeGreaterThanOrEqual(n);
      expect(c % 256).toBe(0);
      if (n > 1024) expect(c / n).toBeLessThanOrEqual(1.25 + 1e-9);
    }
  });

  it('reuses released buffers of the same class and counts it', () => {
    const before = gpu.poolStats();
    const a = gpu.alloc(10_000, 'a');
    a.release();
    const b = gpu.alloc(9_000, 'b'); // same size class as 10_000
    const after = gpu.poolStats();
    expect(after.reuses - before.reuses).toBe(1);
    expect(b.buffer).toBe(a.buffer);
    b.release();
  });

  it('rejects double release and use after release', () => {
    const a = gpu.alloc(64, 'victim');
    a.release();
    expect(() => a.release()).toThrow(/released twice/);
    expect(() => unary(gpu, 'neg', a, 16)).toThrow(/already released|after release/);
  });

  it('rejects a buffer larger than one binding allows, naming the size', () => {
    expect(() => gpu.alloc(gpu.limits.maxStorageBufferBindingSize + 1024, 'huge activations')).toThrow(/huge activations.*maxStorageBufferBindingSize/);
  });
});

describe('recording and readback', () => {
  it('batches dispatches into one submit until a readback', async () => {
    const x = gpu.upload(new Float32Array([1, 2, 3, 4]));
    await gpu.sync();
    const s0 = gpu.stats();
    let y = x;
    for (let k = 0; k < 10; k++) y = unary(gpu, 'affine', y, 4, { a: 1, b: 1 });
    expect(gpu.stats().submits).toBe(s0.submits); // nothing submitted yet
    expect(Array.from(await gpu.readF32(y))).toEqual([11, 12, 13, 14]);
    expect(gpu.stats().submits).toBe(s0.submits + 1);
  });

  it('write() after recorded reads keeps program order', async () => {
    const x = gpu.upload(new Float32Array([1, 1]));
    const y = unary(gpu, 'neg', x, 2); // recorded, not yet submitted
    gpu.write(x, new Float32Array([5, 5])); // must not be seen by the neg above
    const z = unary(gpu, 'neg', x, 2);
    expect(Array.from(await gpu.readF32(y))).toEqual([-1, -1]);
    expect(Array.from(await gpu.readF32(z))).toEqual([-5, -5]);
  });

  it('grid() splits large launches under the per-dimension limit', () => {
    expect(grid(10)).toEqual([10, 1, 1]);
    const [x, y] = grid(200_000);
    expect(x).toBeLessThanOrEqual(65535);
    expect(x * y).toBeGreaterThanOrEqual(200_000);
  });
});

describe('errors', () => {
  it('a shader compile error surfaces as GpuError naming the kernel', async () => {
    const bad = kernelFromSource('broken_kernel', '@compute @workgroup_size(1) fn main() { let x: f32 = undefined_symbol; }');
    const b = gpu.alloc(16, 'b');
    expect(() => gpu.dispatch(bad, { buffers: [], workgroups: [1] })).not.toThrow();
    const err = await gpu.sync().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GpuError);
    expect(String((err as Error).message)).toMatch(/broken_kernel/);
    b.release();
  });

  it('a binding too small for the shader is a validation error naming the dispatch', async () => {
    const k = kernelFromSource(
      'needs_vec4_binding',
      `struct P { n: u32 }
       @group(0) @binding(0) var<uniform> p: P;
       @group(0) @binding(1) var<storage, read_write> y: array<vec4<f32>, 4>;
       @compute @workgroup_size(1) fn main() { y[0] = vec4<f32>(f32(p.n)); }`,
    );
    const small = gpu.alloc(16, 'small');
    gpu.dispatch(k, { params: packParams([u(1)]), buffers: [small], workgroups: [1], label: 'shape 1x4' });
    await expect(gpu.sync()).rejects.toThrow(/needs_vec4_binding \[shape 1x4\]/);
    small.release();
  });

  it('the runtime refuses a buffer bound twice (WebGPU aliasing rule)', () => {
    const k = kernelFromSource('two', '@group(0) @binding(1) var<storage, read> a: array<f32>; @group(0) @binding(2) var<storage, read_write> b: array<f32>; @compute @workgroup_size(1) fn main() { b[0] = a[0]; }');
    const x = gpu.alloc(16, 'x');
    expect(() => gpu.dispatch(k, { buffers: [x, x], workgroups: [1] })).toThrow(/bound twice/);
    x.release();
  });

  it('a destroyed device is a clear error', async () => {
    const g = await createGpu({ quiet: true });
    g.destroy();
    expect(() => g.alloc(16)).toThrow(/after destroy/);
  });
});

describe('timing', () => {
  it('timestamp regions measure recorded work', async () => {
    const t = new GpuTimer(gpu, 4);
    const n = 1 << 16;
    const x = gpu.zeros(n * 4);
    await t.region(() => {
      for (let k = 0; k < 4; k++) unary(gpu, 'exp', x, n, { out: x });
    });
    await t.region(() => {});
    const [busy, empty] = await t.read();
    expect(busy).toBeGreaterThan(0);
    expect(empty).toBeGreaterThanOrEqual(0);
    expect(busy).toBeGreaterThan(empty);
    x.release();
    t.destroy();
  });
  void f;
});
