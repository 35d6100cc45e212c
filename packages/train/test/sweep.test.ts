/**
 * A two-by-one micro sweep on a generated zoo: the grid expands to one folder per run, each row
 * carries loss, throughput, multi-crop validation retrieval and validation splice p-mAP read
 * back from the run's log, sweep.md/png are written, a second invocation finds everything done
 * (and trains nothing), and a bad value in any run is refused before the first step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { generateSynthZoo } from '@exif-lang/data';
import { ConfigError, planSweep, readLog, readSweepFile, runSweep, type ProbeRecord, type SpliceRecord, type ValRecord } from '../src/index.ts';

let gpu: Gpu;
let dir: string;
let zoo: string;
beforeAll(async () => {
  gpu = await getGpu();
  dir = mkdtempSync(join(tmpdir(), 'exiflang-sweep-'));
  zoo = join(dir, 'zoo');
  await generateSynthZoo({ cameras: 3, images: 24, seed: 1, minSize: 48, maxSize: 64, out: zoo });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const micro = {
  'model.image': { arch: 'custom', block: 'basic', layers: [1, 1, 1, 1], stem: 8, widths: [8, 8, 16, 16] },
  'model.embed': 16,
  'model.text': { layers: 1, heads: 2, ffn: 32, maxTokens: 24, dropout: 0, attentionDropout: 0 },
  'data.patchSize': 32, 'data.batchSize': 4, 'data.cropsPerImage': 1, 'data.workers': 0, 'data.valFraction': 0.3, 'data.valMaxImages': 8, 'data.valCrops': 3,
  'data.valSplices': { count: 2, maxSize: 64, perSide: 4, seed: 2 },
  'schedule.warmupSteps': 1, 'run.steps': 3, 'run.logEvery': 1, 'run.validateEvery': 0, 'run.spliceEvery': 0, 'run.checkpointEvery': 3, 'run.keepLast': 1,
};

function sweepFile(name: string, body: object): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(body));
  return p;
}

describe('sweep', () => {
  it('refuses an invalid run before any work, naming it', () => {
    const f = sweepFile('bad.json', { preset: 'tiny', data: zoo, set: micro, grid: { 'data.text.tags': ['all', 'make-and-model'] } });
    expect(() => planSweep(readSweepFile(f), join(dir, 'bad'))).toThrow(ConfigError);
    expect(() => planSweep(readSweepFile(f), join(dir, 'bad'))).toThrow(/sweep run 02_tags=make-and-model[\s\S]*data\.text\.tags/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    expect(() => readSweepFile(sweepFile('both.json', { grid: { 'run.seed': [1] }, runs: [{}] }))).toThrow(/either "grid" or "runs"/);
  });

  it('runs every grid combination in its own folder and writes the table, json and curves', async () => {
    const f = sweepFile('ablate.json', { preset: 'tiny', data: zoo, set: micro, grid: { 'model.logitScale.learned': [true], 'data.text.tags': ['all', 'make-model'] } });
    const out = join(dir, 'ablate');
    const r = await runSweep({ file: f, out, gpu, progress: 'off', log: () => {} });
    expect(r.interrupted).toBe(false);
    expect(r.rows.map((x) => x.name)).toEqual(['01_learned=true_tags=all', '02_learned=true_tags=make-model']);
    for (const row of r.rows) {
      expect(row).toMatchObject({ status: 'done', steps: 3, valImages: expect.any(Number), spliceImages: 2, makeProbe: null });
      expect(row.finalLoss).toBeGreaterThan(0);
      expect(row.valTop5!).toBeGreaterThanOrEqual(row.valTop1!);
      expect(row.splicePmap!).toBeGreaterThan(0);
      expect(row.splicePmap!).toBeLessThanOrEqual(1);
      expect(row.peakBytes).toBeGreaterThan(0);
      const log = readLog(join(row.out, 'log.jsonl'));
      const val = log.filter((x): x is ValRecord => x.type === 'val').at(-1)!;
      expect(val.crops).toBe(3 * val.images);
      expect(log.filter((x): x is SpliceRecord => x.type === 'splice').map((x) => x.step)).toEqual([3]);
    }
    // Make/Model only: fewer distinct texts than the full EXIF (the zoo's cameras repeat settings rarely).
    const texts = r.rows.map((row) => readLog(join(row.out, 'log.jsonl')).filter((x): x is ValRecord => x.type === 'val').at(-1)!.texts!);
    expect(texts[1]).toBeLessThanOrEqual(3);
    expect(texts[0]).toBeGreaterThan(texts[1]);

    const md = readFileSync(r.markdown, 'utf8');
    expect(md).toContain('| run | model.logitScale.learned | data.text.tags | status |');
    expect(md).toContain('| 02_learned=true_tags=make-model | true | make-model | done | 3 |');
    expect((await sharp(r.png!).metadata()).format).toBe('png');
    const json = JSON.parse(readFileSync(r.json, 'utf8')) as { rows: { wallSeconds: number }[] };
    expect(json.rows).toHaveLength(2);

    // Again: every run is complete, nothing trains, the rows stay.
    const again = await runSweep({ file: f, out, gpu, progress: 'off', log: () => {} });
    expect(again.rows.map((x) => [x.status, x.steps, x.finalLoss])).toEqual(r.rows.map((x) => [x.status, x.steps, x.finalLoss]));
    expect(readLog(join(r.rows[0].out, 'log.jsonl')).filter((x) => x.type === 'event' && x.event === 'resume')).toHaveLength(1);
  });

  it('fills the make-probe column from data.valProbe at the end of each run', async () => {
    // Half the photos held apart, so each of the zoo's makes has >= 4 of them.
    const probed = { ...micro, 'data.valFraction': 0.5, 'data.valMaxImages': 64, 'data.valProbe': true, 'data.valSplices': { count: 0 } };
    const f = sweepFile('probe.json', { preset: 'tiny', data: zoo, set: probed, runs: [{ name: 'probed', set: { 'run.seed': 1 } }] });
    const r = await runSweep({ file: f, out: join(dir, 'probe'), gpu, progress: 'off', log: () => {} });
    const log = readLog(join(r.rows[0].out, 'log.jsonl'));
    const probes = log.filter((x): x is ProbeRecord => x.type === 'probe');
    expect(probes.map((p) => p.step)).toEqual([3]);
    const p = probes[0];
    expect(p.classes).toBeGreaterThanOrEqual(2);
    expect(p.images).toBeGreaterThanOrEqual(4 * p.classes);
    expect(p.accuracy!).toBeGreaterThanOrEqual(0);
    expect(p.accuracy!).toBeLessThanOrEqual(1);
    expect(p.ci![0]).toBeLessThanOrEqual(p.accuracy!);
    expect(p.ci![1]).toBeGreaterThanOrEqual(p.accuracy!);
    expect(r.rows[0].makeProbe).toBe(p.accuracy);
    expect(readFileSync(r.markdown, 'utf8')).toContain('| make probe | peak MiB |');
  });
});
