import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBenchCases, runBench, formatBenchTable, type BenchRow } from '../src/index.ts';

describe('kernel benchmark harness', () => {
  it('finds the cases of every file in src/bench/cases', async () => {
    const cases = await loadBenchCases();
    const mm = cases.filter((c) => c.name.startsWith('matmul'));
    expect(mm.map((c) => c.shape)).toEqual(expect.arrayContaining(['256x256x256', '512x512x512', '1024x1024x1024']));
    for (const c of cases) expect((c.flops ?? c.bytes ?? 0) > 0).toBe(true);
  });

  it('runs a filtered case without the peer, prints the table and writes JSON', async () => {
    const lines: string[] = [];
    const json = join(mkdtempSync(join(tmpdir(), 'exiflang-bench-')), 'rows.json');
    const report = await runBench({ filter: 'matmul 256x256', reps: 2, warmup: 1, peer: false, json, print: (l) => lines.push(l), log: () => {} });
    expect(report.rows).toHaveLength(1);
    const row = report.rows[0];
    expect(row.oursSamples).toHaveLength(2);
    expect(row.oursMs).toBeGreaterThan(0);
    expect(row.unit).toBe('GFLOP/s');
    expect(row.peerMs).toBeNull();
    expect(lines.some((l) => l.includes('256x256x256'))).toBe(true);
    const written = JSON.parse(readFileSync(json, 'utf8')) as { rows: BenchRow[] };
    expect(written.rows[0].shape).toBe('256x256x256');
    await expect(runBench({ filter: 'no such kernel', peer: false, print: () => {}, log: () => {} })).rejects.toThrow(/no case matches/);
  });

  it('formats a ratio column', () => {
    const row: BenchRow = {
      name: 'x', shape: '1x1x1', oursMs: 1, oursSamples: [1], oursRate: 2, unit: 'GFLOP/s',
      peerMs: 3, peerSamples: [3], peerRate: 0.67, peerWallMs: 4, peerTiming: 'wall clock with sync', speedup: 3,
    };
    const [head, , body] = formatBenchTable([row]);
    expect(head).toContain('ours/tfjs');
    expect(body).toContain('3.00x');
  });
});
