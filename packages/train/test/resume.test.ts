/**
 * Resume is exact: a run stopped (SIGINT path: abort, checkpoint, return) or killed (an error,
 * no final checkpoint: it continues from the last periodic one) and then resumed ends with the
 * same bytes in every parameter, buffer and optimizer state as an uninterrupted run of the
 * same length. The stops fall mid-epoch and the runs cross epoch boundaries, so the data
 * position (epoch reseed + skipped batches) is what is tested; text dropout is on, so the
 * dropout call counters are too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { generateSynthZoo } from '@exif-lang/data';
import { readSafetensors, readTrainingCheckpointInfo, type TensorMap } from '@exif-lang/models';
import { readLog, train, type TrainResult } from '../src/index.ts';
import { microConfig } from './micro.ts';

const STEPS = 8;
let gpu: Gpu;
let dir: string;
let zoo: string;

beforeAll(async () => {
  gpu = await getGpu();
  dir = mkdtempSync(join(tmpdir(), 'exiflang-train-resume-'));
  zoo = join(dir, 'zoo');
  await generateSynthZoo({ cameras: 3, images: 18, seed: 1, minSize: 40, maxSize: 64, out: zoo });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = { progress: 'off', log: () => {} } as const;
const config = (name: string, sets: string[] = []) => microConfig(join(dir, name), zoo, [`run.steps=${STEPS}`, 'run.validateEvery=0', ...sets]);

function tensorsOf(r: TrainResult): TensorMap {
  expect(r.checkpoint).not.toBeNull();
  return readSafetensors(r.checkpoint!).tensors;
}

function expectSameBytes(a: TensorMap, b: TensorMap): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  const differing = [...a].filter(([k, t]) => Buffer.compare(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), Buffer.from(b.get(k)!.data.buffer, b.get(k)!.data.byteOffset, b.get(k)!.data.byteLength)) !== 0);
  expect(differing.map(([k]) => k)).toEqual([]);
}

describe('resume', () => {
  it('a stopped or killed run, resumed, ends bit-identical to an uninterrupted one', async () => {
    const whole = await train({ config: config('whole', ['run.checkpointEvery=100']), gpu, ...quiet });
    expect(whole.step).toBe(STEPS);
    const reference = tensorsOf(whole);
    const epochs = (readTrainingCheckpointInfo(whole.checkpoint!).data as { position: { epoch: number } }).position.epoch;
    expect(epochs).toBeGreaterThanOrEqual(1); // the runs cross at least one epoch boundary

    // Stopped: abort after step 5, as the CLI's SIGINT handler does.
    const stop = new AbortController();
    const first = await train({ config: config('stopped'), gpu, ...quiet, signal: stop.signal, onStep: (s) => (s === 5 ? stop.abort() : undefined) });
    expect(first).toMatchObject({ step: 5, interrupted: true });
    const pos = (readTrainingCheckpointInfo(first.checkpoint!).data as { position: { epoch: number; batch: number } }).position;
    expect(pos.batch).toBeGreaterThan(0); // mid-epoch: the resume must skip consumed batches
    const resumed = await train({ config: config('stopped'), gpu, ...quiet });
    expect(resumed).toMatchObject({ startStep: 5, step: STEPS, interrupted: false });
    expectSameBytes(reference, tensorsOf(resumed));

    // Killed: an error after step 6 leaves the periodic checkpoint of step 4.
    await expect(
      train({ config: config('killed'), gpu, ...quiet, onStep: (s) => { if (s === 6) throw new Error('killed'); } }),
    ).rejects.toThrow('killed');
    const continued = await train({ config: config('killed'), gpu, ...quiet });
    expect(continued).toMatchObject({ startStep: 4, step: STEPS });
    expectSameBytes(reference, tensorsOf(continued));
    // The killed run's steps 5-6 were dropped from the log: it reads as one run.
    const steps = readLog(continued.log).filter((x) => x.type === 'train').map((x) => x.step);
    expect(steps).toEqual([2, 4, 6, 8]);
  });
});
