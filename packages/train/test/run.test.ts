/**
 * A real (micro) run on a generated synthetic zoo: log, checkpoints with the resume metadata,
 * validation retrieval and the curves PNG, plus the guards that keep one folder to one run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { optim, readTrainingCheckpointInfo } from '@exif-lang/models';
import { readLog, scheduleOf, train, type TrainRecord, type ValRecord } from '../src/index.ts';
import { microConfig } from './micro.ts';

let gpu: Gpu;
let dir: string;
beforeAll(async () => {
  gpu = await getGpu();
  dir = mkdtempSync(join(tmpdir(), 'exiflang-train-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train', () => {
  it('runs a few steps on a synthetic zoo and writes log, checkpoint and curves', async () => {
    const out = join(dir, 'run');
    const config = microConfig(out, 'synth', ['run.steps=4']);
    const notes: string[] = [];
    const r = await train({ config, gpu, progress: 'off', log: (s) => notes.push(s) });
    expect(r).toMatchObject({ step: 4, startStep: 0, interrupted: false, resumedFrom: null });
    expect(notes.some((n) => n.startsWith('generating the synthetic zoo'))).toBe(true);

    const log = readLog(r.log);
    const trainRecs = log.filter((x): x is TrainRecord => x.type === 'train');
    expect(trainRecs.map((x) => x.step)).toEqual([2, 4]);
    for (const t of trainRecs) {
      expect(Number.isFinite(t.loss) && t.loss > 0).toBe(true);
      expect(t.patchesPerSec).toBeGreaterThan(0);
      expect(t.accImage).toBeGreaterThanOrEqual(0);
      expect(t.accImage).toBeLessThanOrEqual(1);
    }
    // A window logs the rate of its last update: updates 1 and 3 (0-based) of the schedule.
    expect(trainRecs.map((t) => t.lr)).toEqual([1, 3].map((k) => optim.lrAt(scheduleOf(config), k)));
    const val = log.filter((x): x is ValRecord => x.type === 'val');
    expect(val.map((x) => x.step)).toEqual([3, 4]);
    expect(val[0].chance).toBeCloseTo(1 / val[0].images, 12);
    expect(r.validation?.n).toBe(val[0].images);
    expect(log.at(-1)).toMatchObject({ type: 'event', event: 'end', step: 4 });

    expect(r.checkpoint).toBe(join(out, 'checkpoints', 'step-000000004.safetensors'));
    expect(readFileSync(join(out, 'checkpoints', 'latest'), 'utf8').trim()).toBe('step-000000004.safetensors');
    const info = readTrainingCheckpointInfo(r.checkpoint!);
    expect(info.step).toBe(4);
    expect(info.config).toEqual(JSON.parse(JSON.stringify(config)));
    expect(info.data).toMatchObject({ position: { epoch: expect.any(Number), batch: expect.any(Number) }, fingerprint: expect.stringMatching(new RegExp(`^${r.trainImages}:[0-9a-f]{8}$`)) });
    expect(info.schedule?.step).toBe(4);

    const meta = await sharp(r.curves!).metadata();
    expect(meta.format).toBe('png');
    expect(existsSync(join(out, 'curves.svg'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(config)));

    // Running the finished run again resumes, finds nothing to do, and keeps the log.
    const again = await train({ config, gpu, progress: 'off', log: () => {} });
    expect(again).toMatchObject({ step: 4, startStep: 4, resumedFrom: r.checkpoint });
    expect(readLog(r.log).filter((x) => x.type === 'train').map((x) => x.step)).toEqual([2, 4]);

    // One folder, one run: no silent restart, no resume with other hyper-parameters.
    await expect(train({ config, gpu, progress: 'off', log: () => {}, resume: false })).rejects.toThrow(/holds checkpoints of an earlier run/);
    const other = microConfig(out, 'synth', ['run.steps=4', 'optimizer.lr=0.002']);
    await expect(train({ config: other, gpu, progress: 'off', log: () => {} })).rejects.toThrow(/optimizer\.lr: 0\.002 here, 0\.001 in the checkpoint/);
  });

  it('a multi-crop run (2 crops per photo per step, image-image term, prefilter) trains and counts every patch', async () => {
    const out = join(dir, 'multi');
    const config = microConfig(out, 'synth', ['run.steps=2', 'run.validateEvery=0', 'data.cropsPerImage=2', 'data.cropsPerStep=2', 'model.imageImageWeight=1', 'model.image.prefilter="highpass3"']);
    const r = await train({ config, gpu, progress: 'off', log: () => {} });
    expect(r.step).toBe(2);
    const recs = readLog(r.log).filter((x): x is TrainRecord => x.type === 'train');
    expect(recs.length).toBe(1);
    expect(Number.isFinite(recs[0].loss) && recs[0].loss > 0).toBe(true);
    const info = readTrainingCheckpointInfo(r.checkpoint!);
    // the patch count (and so patches/s) is photos x crops: 2 steps of 4 photos x 2 crops
    expect(info.extra).toMatchObject({ patches: 16 });
    expect(info.config).toMatchObject({ data: { cropsPerStep: 2 }, model: { imageImageWeight: 1, image: { prefilter: 'highpass3' } } });
  });
});
