import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, unary, fill, summarizeProfile, type Gpu } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

describe('kernel profiler', () => {
  it('times every dispatch by kernel and phase without changing results', async () => {
    const big = 1 << 20;
    const small = 64;
    const x = fill(gpu, big, 0.5);
    const y = fill(gpu, small, 0.5);
    unary(gpu, 'sigmoid', y, small).release(); // lavapipe compiles a pipeline at its first dispatch: not in the profile
    await gpu.sync();
    const before = gpu.stats().dispatches;
    const prof = gpu.startProfile();
    prof.phase = 'big';
    for (let k = 0; k < 3; k++) unary(gpu, 'exp', x, big, { out: x });
    prof.phase = 'small';
    unary(gpu, 'sigmoid', y, small, { out: y });
    const times = await gpu.stopProfile();
    expect(times).toHaveLength(gpu.stats().dispatches - before);
    expect(times.map((t) => t.phase)).toEqual(['big', 'big', 'big', 'small']);
    for (const t of times) {
      expect(t.kernel).not.toBe('');
      expect(t.ms).toBeGreaterThanOrEqual(0);
    }
    // A million exps take measurable time (comparing kernels' times would make a flaky timed test).
    for (const t of times.slice(0, 3)) expect(t.ms).toBeGreaterThan(0);
    expect(times.map((t) => t.label)).toEqual([...Array(3).fill(`exp n=${big}`), `sigmoid n=${small}`]);
    // exp(exp(exp(0.5))) as an unprofiled run computes it.
    const expected = Math.fround(Math.exp(Math.exp(Math.exp(0.5))));
    const got = await gpu.read(x, 0, 16);
    expect(Math.abs(new Float32Array(got)[0] - expected) / expected).toBeLessThan(1e-5);

    const rows = summarizeProfile(times);
    expect(rows.map((r) => [r.phase, r.calls])).toEqual([['big', 3], ['small', 1]]);
    expect(rows.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 9);
    expect(rows[0].slowestMs).toBe(Math.max(...times.slice(0, 3).map((t) => t.ms)));
    x.release();
    y.release();
  });

  it('handles more dispatches than one query set holds (2048)', async () => {
    const y = fill(gpu, 4, 0);
    const prof = gpu.startProfile();
    prof.phase = 'many';
    const n = 2048 + 77;
    for (let k = 0; k < n; k++) unary(gpu, 'neg', y, 4, { out: y });
    const times = await gpu.stopProfile();
    expect(times).toHaveLength(n);
    expect(times.every((t) => t.phase === 'many' && t.ms >= 0)).toBe(true);
    y.release();
  });

  it('refuses to nest or to stop a profile that is not running', async () => {
    gpu.startProfile();
    expect(() => gpu.startProfile()).toThrow(/already running/);
    expect(await gpu.stopProfile()).toEqual([]);
    await expect(gpu.stopProfile()).rejects.toThrow(/no kernel profile is running/);
  });
});
