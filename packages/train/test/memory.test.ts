/**
 * The step-memory estimate (memory.ts) against a real step's pool high-water mark, and the
 * error a batch that cannot fit gets, with the chunk size it suggests.
 */
import { describe, expect, it } from 'vitest';
import { getGpu, testing } from '@exif-lang/kernels';
import { ExifClip, optim } from '@exif-lang/models';
import type { PatchBatch } from '@exif-lang/data';
import { GpuMeter, estimateStepMemory, memoryError, trainStep } from '../src/index.ts';
import { exifClipConfig } from '../src/model-config.ts';
import { microConfig } from './micro.ts';

const config = (batch: number, chunk: number | null = null, extra: string[] = []) =>
  microConfig('/nonexistent/never-written', 'synth', [
    `data.batchSize=${batch}`, `data.chunkSize=${chunk === null ? 'null' : chunk}`, 'data.synth={"cameras":3,"images":120,"seed":1,"minSize":40,"maxSize":64}', ...extra,
  ]);

describe('estimateStepMemory', () => {
  // [crops per step, image-image weight]: the plain step and a multi-crop step with its extra term
  it.each([[1, 0], [2, 1]])('is within 25%% of a real training step at a batch it did not probe (%i crops, image-image %i)', async (K, w) => {
    const gpu = await getGpu();
    const c = config(12, null, [`data.cropsPerImage=${K}`, `data.cropsPerStep=${K}`, `model.imageImageWeight=${w}`]);
    const m = await estimateStepMemory(gpu, c);
    expect([m.batch, m.crops, m.pass]).toEqual([12, K, 12 * K]);
    const model = new ExifClip(gpu, exifClipConfig(c)).train();
    const opt = new optim.Adam(optim.weightDecayGroups(model, 1e-4), { lr: 1e-3, betas: [0.9, 0.98], eps: 1e-6 });
    const B = 12;
    const S = c.data.patchSize;
    const T = c.model.text.maxTokens;
    const batch: PatchBatch = {
      index: 0, epoch: 0, batchSize: B, cropsPerStep: K, patchSize: S, tokenLength: T, images: testing.randNormal(K * B * S * S * 3, 2),
      ids: Uint32Array.from({ length: B * T }, (_, i) => 1000 + i), mask: new Uint32Array(B * T).fill(1), texts: [], sources: [],
    };
    gpu.pool.takePeakInUse();
    await trainStep(gpu, model, opt, batch, new GpuMeter(['loss', 'accImage', 'accText']), { imageImage: w });
    const measured = gpu.pool.takePeakInUse();
    await gpu.sync();
    expect(m.stepBytes / measured).toBeGreaterThan(0.75);
    expect(m.stepBytes / measured).toBeLessThan(1.25);
    expect(m.fits).toBe(true);
    expect(m.parameterBytes).toBe(model.parameterCount() * 4);
    opt.dispose();
    model.dispose();
  });

  it('a batch over the memory budget is an error naming a chunk size that fits', async () => {
    const gpu = await getGpu();
    const whole = await estimateStepMemory(gpu, config(64));
    const small = await estimateStepMemory(gpu, config(64, 4));
    expect(small.stepBytes).toBeLessThan(whole.stepBytes);
    // a device with room for chunks of 4 but not for the batch of 64 in one pass
    const limits = { budgetBytes: (whole.stepBytes + small.stepBytes) / 2 };
    const m = await estimateStepMemory(gpu, config(64), limits);
    expect(m.fits).toBe(false);
    expect(m.suggestedChunk).not.toBeNull();
    expect(m.suggestedChunk!).toBeGreaterThanOrEqual(4);
    expect(m.suggestedChunk!).toBeLessThan(64);
    const err = memoryError(m).message;
    expect(err).toMatch(/data\.batchSize=64 does not fit/);
    expect(err).toContain(`data.chunkSize=${m.suggestedChunk}`);
    const chunked = await estimateStepMemory(gpu, config(64, m.suggestedChunk), limits);
    expect(chunked.fits).toBe(true);
    expect(chunked.stepBytes).toBeLessThan(whole.stepBytes);
  });
});
