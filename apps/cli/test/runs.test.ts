/**
 * `exiflang runs compare` on run folders the test writes (config.json + log.jsonl, the layout
 * `pnpm train --out` leaves): only the differing config fields appear as columns, each run's
 * final figures are the last logged ones, the curves PNG is written, and a folder that is not a
 * run is refused by name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let tmp: string;

function exiflang(...args: string[]) {
  return run('npx', ['tsx', join(ROOT, 'apps/cli/src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, EXIFLANG_QUIET: '1' } });
}

function writeRun(name: string, lr: number, tags: string, losses: number[], top1: number, pmap: number | null): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const config = { data: { patchSize: 64, text: { tags } }, optimizer: { lr, betas: [0.9, 0.98] }, run: { steps: losses.length * 10, out: dir } };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const lines: object[] = [{ type: 'event', step: 0, event: 'start', elapsed: 0 }];
  losses.forEach((loss, i) => lines.push({ type: 'train', step: (i + 1) * 10, lr, loss, accImage: 0, accText: 0, patchesPerSec: 100 + i, peakBytes: (i + 1) * 2 ** 20, elapsed: i + 1 }));
  lines.push({ type: 'val', step: losses.length * 10, imageToText: top1, textToImage: top1, images: 8, chance: 0.125, imageToText5: 0.5, elapsed: losses.length });
  if (pmap !== null) lines.push({ type: 'splice', step: losses.length * 10, pmap, ciou: 0.4, images: 4, seconds: 1, elapsed: losses.length });
  if (pmap !== null) lines.push({ type: 'probe', step: losses.length * 10, accuracy: 0.42, balancedAccuracy: 0.4, ci: [0.3, 0.5], images: 12, classes: 3, majority: 0.34, seconds: 1, elapsed: losses.length });
  lines.push({ type: 'event', step: losses.length * 10, event: 'end', elapsed: losses.length });
  writeFileSync(join(dir, 'log.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return dir;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'exiflang-runs-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('runs compare', () => {
  it('tabulates the differing fields and final metrics and writes the curves', async () => {
    const a = writeRun('a', 1e-3, 'all', [4, 3, 2.5], 0.25, 0.61);
    const b = writeRun('b', 1e-3, 'make-model', [4.2, 3.5, 3.25], 0.375, null);
    const out = join(tmp, 'cmp');
    const r = await exiflang('runs', 'compare', a, b, '--out', out);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('|'));
    const head = lines[0].split('|').map((c) => c.trim());
    // lr, patch size and betas are shared: only the text tags differ (run.out is never a column)
    expect(head).toContain('data.text.tags');
    expect(head).not.toContain('optimizer.lr');
    expect(head).not.toContain('run.out');
    const row = (name: string) => Object.fromEntries(lines.find((l) => l.startsWith(`| ${name} |`))!.split('|').slice(1, -1).map((c, i) => [head[i + 1], c.trim()]));
    expect(row('a')).toMatchObject({ 'data.text.tags': 'all', steps: '30', finished: 'yes', 'first loss': '4.000', 'final loss': '2.500', 'val top-1': '0.250', 'splice p-mAP': '0.610', 'make probe': '0.420', 'peak MiB': '3', 'patches/s': '101.5' });
    expect(row('b')).toMatchObject({ 'data.text.tags': 'make-model', 'final loss': '3.250', 'val top-1': '0.375', 'splice p-mAP': '-', 'make probe': '-' });
    expect(readFileSync(`${out}.md`, 'utf8')).toContain('| b | make-model |');
    const png = readFileSync(`${out}.png`);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThan(500); // IHDR width: the panels side by side
    expect(r.stdout).toContain(`curves: ${out}.png`);

    const j = JSON.parse((await exiflang('runs', 'compare', a, b, '--out', out, '--json')).stdout) as { fields: string[]; runs: { name: string; finalLoss: number }[] };
    expect(j.fields).toEqual(['data.text.tags']);
    expect(j.runs.map((x) => [x.name, x.finalLoss])).toEqual([['a', 2.5], ['b', 3.25]]);
  }, 120_000);

  it('refuses a folder that is not a run, by name', async () => {
    const empty = join(tmp, 'not-a-run');
    mkdirSync(empty, { recursive: true });
    await expect(exiflang('runs', 'compare', empty)).rejects.toMatchObject({ stderr: expect.stringContaining(`${empty}: not a run folder`) });
  }, 60_000);
});
