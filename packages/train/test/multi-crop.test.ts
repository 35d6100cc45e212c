/**
 * Multi-crop steps (data.cropsPerStep, model.imageImageWeight):
 * - multiCropLoss equals its definition computed on the host in float64 from the embeddings
 *   (mean over crops of the symmetric InfoNCE against the texts, plus w times the mean over crop
 *   pairs of the image-image InfoNCE), and its gradient passes a finite-difference check;
 * - one crop and w = 0 is model.lossOf itself, bit for bit;
 * - trainStep on a K-crop batch updates exactly as that loss + backward + Adam.
 */
import { describe, expect, it } from 'vitest';
import { getGpu, testing } from '@exif-lang/kernels';
import { ExifClip, backward, gradcheck, keep, optim, scope, tensor, type ExifClipConfig } from '@exif-lang/models';
import type { PatchBatch } from '@exif-lang/data';
import { GpuMeter, multiCropLoss, trainStep } from '../src/index.ts';

const config: ExifClipConfig = {
  image: { block: 'basic', layers: [1, 1, 1, 1], stem: 8, widths: [8, 8, 16, 16], embed: 16, prefilter: 'highpass3' },
  text: { vocab: 30522, dim: 16, maxPositions: 12, layers: 1, heads: 2, ffn: 32, dropout: 0, attentionDropout: 0 },
  logitScale: { learned: true },
  seed: 4,
};

/** float64 symmetric InfoNCE of row-major [B, E] embeddings at scale s. */
function infoNce64(a: Float32Array, b: Float32Array, B: number, E: number, s: number): number {
  const unit = (x: Float32Array, i: number) => {
    let n = 0;
    for (let j = 0; j < E; j++) n += x[i * E + j] ** 2;
    return Array.from({ length: E }, (_, j) => x[i * E + j] / Math.sqrt(n));
  };
  const ua = Array.from({ length: B }, (_, i) => unit(a, i));
  const ub = Array.from({ length: B }, (_, i) => unit(b, i));
  const logit = (i: number, j: number) => s * ua[i].reduce((acc, v, k) => acc + v * ub[j][k], 0);
  let ce = 0;
  for (let i = 0; i < B; i++) {
    const row = Array.from({ length: B }, (_, j) => logit(i, j));
    const col = Array.from({ length: B }, (_, j) => logit(j, i));
    const lse = (xs: number[]) => Math.max(...xs) + Math.log(xs.reduce((acc, x) => acc + Math.exp(x - Math.max(...xs)), 0));
    ce += lse(row) - row[i] + lse(col) - col[i];
  }
  return ce / (2 * B);
}

describe('multi-crop loss', () => {
  it('equals its float64 definition, one crop is model.lossOf, and its gradient passes gradcheck', async () => {
    const gpu = await getGpu();
    const model = new ExifClip(gpu, config);
    const [K, B, E, w] = [3, 4, 16, 0.5];
    const img = testing.randNormal(K * B * E, 11);
    const txt = testing.randNormal(B * E, 12);
    const scale = Math.exp(await model.logitScale.item());
    const r = scope(() => {
      const out = multiCropLoss(model, tensor(gpu, img, [K * B, E]), tensor(gpu, txt, [B, E]), K, w);
      return { loss: keep(out.loss), acc: keep(out.accImage) };
    });
    const rows = (k: number) => img.subarray(k * B * E, (k + 1) * B * E);
    let want = 0;
    for (let k = 0; k < K; k++) want += infoNce64(rows(k), txt, B, E, scale) / K;
    let pairs = 0;
    for (let k = 0; k < K; k++) for (let l = k + 1; l < K; l++) pairs += infoNce64(rows(k), rows(l), B, E, scale);
    want += (w * pairs) / ((K * (K - 1)) / 2);
    expect(Math.abs((await r.loss.item()) - want)).toBeLessThan(1e-5 * want);
    const acc = await r.acc.item();
    expect(acc >= 0 && acc <= 1 && Number.isInteger(acc * K * B)).toBe(true);
    r.loss.dispose();
    r.acc.dispose();

    // K = 1, w = 0: the paper's loss itself
    const a = scope(() => keep(multiCropLoss(model, tensor(gpu, rows(0), [B, E]), tensor(gpu, txt, [B, E]), 1, 0).loss));
    const b = scope(() => keep(model.lossOf(tensor(gpu, rows(0), [B, E]), tensor(gpu, txt, [B, E])).loss));
    expect(await a.item()).toBe(await b.item());
    a.dispose();
    b.dispose();
    expect(() => multiCropLoss(model, tensor(gpu, img, [K * B, E]), tensor(gpu, txt, [B, E]), 2, 0)).toThrow(/image rows/);

    await gradcheck(gpu, (x, t) => multiCropLoss(model, x, t, K, w).loss, [
      { data: img, shape: [K * B, E] },
      { data: txt, shape: [B, E] },
    ], { label: 'multiCropLoss', eps: 1e-2, maxElements: 24 });
    model.dispose();
  });

  it('trainStep on a batch of K crops per photo updates exactly as multiCropLoss + backward + Adam', async () => {
    const gpu = await getGpu();
    const [K, B, S, T] = [2, 4, 24, 12];
    const batch: PatchBatch = {
      index: 0, epoch: 0, batchSize: B, cropsPerStep: K, patchSize: S, tokenLength: T,
      images: testing.randNormal(K * B * S * S * 3, 6),
      ids: Uint32Array.from({ length: B * T }, (_, i) => 1000 + ((i * 7919) % 9000)),
      mask: Uint32Array.from({ length: B * T }, (_, i) => (i % T < 5 + (Math.floor(i / T) % 4) ? 1 : 0)),
      texts: [], sources: [],
    };
    const make = () => {
      const model = new ExifClip(gpu, config);
      return { model, opt: new optim.Adam(optim.weightDecayGroups(model, 1e-4), { lr: 1e-3, betas: [0.9, 0.98], eps: 1e-6 }) };
    };
    const x = make();
    const y = make();
    const meter = new GpuMeter(['loss', 'accImage', 'accText']);
    await trainStep(gpu, x.model, x.opt, batch, meter, { imageImage: 1 });
    const loss = scope(() => {
      const img = y.model.encodeImage(tensor(gpu, batch.images, [K * B, S, S, 3]));
      const txt = y.model.encodeText(tensor(gpu, batch.ids, [B, T], 'u32'), tensor(gpu, batch.mask, [B, T], 'u32'));
      return keep(multiCropLoss(y.model, img, txt, K, 1).loss);
    });
    backward(loss);
    y.opt.step();
    y.opt.zeroGrad();
    const means = await meter.read();
    expect(means?.loss).toBeCloseTo(await loss.item(), 6);
    loss.dispose();
    const sx = await x.model.stateDict();
    const sy = await y.model.stateDict();
    const differing = [...sx].filter(([n, t]) => Array.from(t.data as Float32Array).some((v, i) => v !== (sy.get(n)!.data as Float32Array)[i]));
    expect(differing.map(([n]) => n)).toEqual([]);
    for (const m of [x, y]) {
      m.opt.dispose();
      m.model.dispose();
    }
  });
});
