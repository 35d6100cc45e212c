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

    // The summary's order depends on the measured times (on lavapipe the 64-element sigmoid can
    // outlast three million-element exps), so check only what does not: the groups, their calls
    // and sums, and that the rows come sorted by time whatever that order is.
    const rows = summarizeProfile(times);
    const byPhase = [...rows].sort((a, b) => a.phase.localeCompare(b.phase));
    expect(byPhase.map((r) => [r.phase, r.kernel, r.calls])).toEqual([
      ['big', times[0].kernel, 3],
      ['small', times[3].kernel, 1],
    ]);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].ms).toBeGreaterThanOrEqual(rows[i].ms);
    const total = times.reduce((s, t) => s + t.ms, 0);
    for (const r of rows) {
      const mine = times.filter((t) => t.phase === r.phase && t.kernel === r.kernel);
      expect(r.ms).toBeCloseTo(mine.reduce((s, t) => s + t.ms, 0), 12);
      expect(r.share).toBeCloseTo(r.ms / total, 12);
      expect(r.slowestMs).toBe(Math.max(...mine.map((t) => t.ms)));
      expect(mine.find((t) => t.ms === r.slowestMs)?.label).toBe(r.slowestLabel);
    }
    expect(rows.reduce((s, r) => s + r.ms, 0)).toBeCloseTo(total, 9);
    expect(rows.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 9);
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
