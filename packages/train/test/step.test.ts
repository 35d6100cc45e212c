/**
 * trainStep records the loss in phases (image tower, text tower, InfoNCE) with event-loop
 * yields between them; the update must be bit-identical to the one-call model.loss() step.
 */
import { describe, expect, it } from 'vitest';
import { getGpu, testing } from '@exif-lang/kernels';
import { ExifClip, backward, keep, optim, scope, tensor, type ExifClipConfig } from '@exif-lang/models';
import type { PatchBatch } from '@exif-lang/data';
import { GpuMeter, trainStep } from '../src/index.ts';

const B = 5;
const S = 32;
const T = 12;
const config: ExifClipConfig = {
  image: { block: 'basic', layers: [1, 1, 1, 1], stem: 8, widths: [8, 8, 16, 16], embed: 16 },
  text: { vocab: 30522, dim: 16, maxPositions: T, layers: 1, heads: 2, ffn: 32, dropout: 0.1, attentionDropout: 0.1 },
  logitScale: { learned: true },
  seed: 3,
};

const batch: PatchBatch = {
  index: 0, epoch: 0, batchSize: B, cropsPerStep: 1, patchSize: S, tokenLength: T,
  images: testing.randNormal(B * S * S * 3, 5),
  ids: Uint32Array.from({ length: B * T }, (_, i) => 1000 + ((i * 7919) % 9000)),
  mask: Uint32Array.from({ length: B * T }, (_, i) => (i % T < 4 + (Math.floor(i / T) % 5) ? 1 : 0)),
  texts: [], sources: [],
};

describe('trainStep', () => {
  it('updates exactly as model.loss + backward + Adam', async () => {
    const gpu = await getGpu();
    const make = () => {
      const model = new ExifClip(gpu, config);
      return { model, opt: new optim.Adam(optim.weightDecayGroups(model, 1e-4), { lr: 1e-3, betas: [0.9, 0.98], eps: 1e-6 }) };
    };
    const a = make();
    const b = make();
    const meter = new GpuMeter(['loss', 'accImage', 'accText']);
    for (let k = 0; k < 2; k++) await trainStep(gpu, a.model, a.opt, batch, meter);
    const means = await meter.read();
    for (let k = 0; k < 2; k++) {
      const loss = scope(() => keep(b.model.loss(tensor(gpu, batch.images, [B, S, S, 3]), tensor(gpu, batch.ids, [B, T], 'u32'), tensor(gpu, batch.mask, [B, T], 'u32')).loss));
      backward(loss);
      b.opt.step();
      b.opt.zeroGrad();
      loss.dispose();
    }
    const sa = await a.model.stateDict();
    const sb = await b.model.stateDict();
    const differing = [...sa].filter(([n, t]) => !Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).equals(Buffer.from(sb.get(n)!.data.buffer, sb.get(n)!.data.byteOffset, sb.get(n)!.data.byteLength)));
    expect(differing.map(([n]) => n)).toEqual([]);
    expect(means?.loss).toBeGreaterThan(0);
    expect(means?.accImage).toBeGreaterThanOrEqual(0);
    for (const x of [a, b]) {
      x.opt.dispose();
      x.model.dispose();
    }
  });
});
