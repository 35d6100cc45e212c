/**
 * End to end across packages: synthetic camera zoo (data) -> index -> seeded patch stream ->
 * EXIF-CLIP forward / InfoNCE / backward / Adam (models on kernels) -> training checkpoint ->
 * a fresh model restored from it embeds identically. Small shapes: a few seconds of lavapipe.
 */
import { describe, it, beforeAll, afterAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { ExifTokenizer, PatchStream, buildIndex, generateSynthZoo, readIndex, type PatchBatch } from '@exif-lang/data';
import {
  ExifClip, backward, keep, loadTrainingCheckpoint, noGrad, optim, saveTrainingCheckpoint, scope, tensor, type ExifClipConfig,
} from '@exif-lang/models';

let gpu: Gpu;
let dir: string;
beforeAll(async () => {
  gpu = await getGpu();
  dir = mkdtempSync(join(tmpdir(), 'exiflang-e2e-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PATCH = 32;
const BATCH = 6;
const TOKENS = 48;

function config(seed: number): ExifClipConfig {
  return {
    image: { block: 'basic', layers: [1, 1, 1, 1], stem: 8, widths: [8, 16, 16, 32], embed: 24, seed },
    text: { vocab: 30522, dim: 24, maxPositions: TOKENS, layers: 1, heads: 2, ffn: 48, dropout: 0, attentionDropout: 0, seed },
    logitScale: { learned: true },
    seed,
  };
}

function inputs(b: PatchBatch) {
  return {
    images: tensor(gpu, b.images, [b.batchSize, b.patchSize, b.patchSize, 3]),
    ids: tensor(gpu, b.ids, [b.batchSize, b.tokenLength], 'u32'),
    mask: tensor(gpu, b.mask, [b.batchSize, b.tokenLength], 'u32'),
  };
}

describe('synthetic data -> training steps -> checkpoint -> embeddings', () => {
  it('trains a tiny EXIF-CLIP on the camera zoo and restores it exactly', async () => {
    const zoo = join(dir, 'zoo');
    const synth = await generateSynthZoo({ cameras: 4, images: 12, seed: 5, out: zoo, minSize: 96, maxSize: 128 });
    expect(synth.records).toHaveLength(12);

    const index = join(dir, 'index.jsonl');
    const { summary } = await buildIndex(zoo, index, { minSize: PATCH });
    expect(summary.indexed).toBe(12);
    const entries = await readIndex(index);

    const stream = new PatchStream(entries, {
      batchSize: BATCH, patchSize: PATCH, cropsPerImage: 2, workers: 0, seed: 3, epochs: Infinity, split: 'all',
      tokenizer: new ExifTokenizer({ maxLength: TOKENS }),
    });
    const model = new ExifClip(gpu, config(11));
    const opt = new optim.Adam(optim.weightDecayGroups(model, 1e-4), {
      lr: 1e-3, betas: [0.9, 0.98], eps: 1e-6, schedule: optim.paperSchedule(4, 1, 1e-3),
    });

    const losses: number[] = [];
    let last: PatchBatch | null = null;
    const it = stream[Symbol.asyncIterator]();
    for (let step = 0; step < 4; step++) {
      const next = await it.next();
      expect(next.done).toBe(false);
      const b = next.value as PatchBatch;
      expect(b.images.length).toBe(BATCH * PATCH * PATCH * 3);
      expect(new Set(b.sources).size).toBe(BATCH); // no two crops of one image in a batch
      const loss = scope(() => {
        const x = inputs(b);
        return keep(model.loss(x.images, x.ids, x.mask).loss);
      });
      backward(loss);
      opt.step();
      opt.zeroGrad();
      losses.push(await loss.item());
      loss.dispose();
      last = b;
    }
    await it.return?.(undefined);
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
    // Chance level is ln(6) ~ 1.79 for a batch of 6; random init sits near it.
    expect(losses[0]).toBeGreaterThan(0.5);
    expect(losses[0]).toBeLessThan(5);

    const ckpt = join(dir, 'step4.safetensors');
    await saveTrainingCheckpoint(ckpt, { model, optimizer: opt, config: { test: 'e2e' } });
    const restored = new ExifClip(gpu, config(99)); // different init, overwritten by the checkpoint
    const info = await loadTrainingCheckpoint(ckpt, { model: restored, strict: false });
    expect(info.step).toBe(4);

    model.eval();
    restored.eval();
    const embed = (m: ExifClip) =>
      noGrad(() =>
        scope(() => {
          const x = inputs(last!);
          return { i: keep(m.encodeImage(x.images)), t: keep(m.encodeText(x.ids, x.mask)) };
        }),
      );
    const a = embed(model);
    const r = embed(restored);
    expect(Array.from(await r.i.data())).toEqual(Array.from(await a.i.data()));
    expect(Array.from(await r.t.data())).toEqual(Array.from(await a.t.data()));
    for (const t of [a.i, a.t, r.i, r.t]) t.dispose();
    model.dispose();
    restored.dispose();
    opt.dispose();
  });
});
