/**
 * Gradient caching (chunked-step.ts) against steps computed the direct way, on a small model:
 *
 * - batch norm on running statistics (eval mode): the chunked gradients and loss equal the
 *   unchunked full-batch step's (model.loss + backward), for even and uneven chunks;
 * - batch norm on batch statistics with dropout (train mode): they equal the reference that
 *   keeps every chunk's graph (each chunk through the towers with BN on that chunk, the
 *   embeddings concatenated, the full-batch InfoNCE, one backward), and the running statistics
 *   are updated once per chunk, as that reference does; the dropout masks are replayed;
 * - chunkedTrainStep against trainStep (eval-mode BN, SGD): the same logged loss and the same
 *   parameter update.
 *
 * Tolerances: float32 sums over at most a few thousand terms in another order, 2e-4 of each
 * tensor's largest gradient (or of a thousandth of the largest of all; a wrong chunk offset or a missing chunk moves gradients by O(1)
 * of that); the loss to 1e-5 relative.
 */
import { describe, expect, it } from 'vitest';
import { getGpu, testing, type Gpu } from '@exif-lang/kernels';
import { ExifClip, backward, keep, ops, optim, scope, tensor, type ExifClipConfig, type Tensor } from '@exif-lang/models';
import type { PatchBatch } from '@exif-lang/data';
import { GpuMeter, chunkedGradients, chunkedTrainStep, chunksOf, trainStep } from '../src/index.ts';

const B = 7;
const S = 32;
const T = 10;
const config = (dropout: number): ExifClipConfig => ({
  image: { block: 'basic', layers: [1, 1, 1, 1], stem: 8, widths: [8, 8, 16, 16], embed: 16 },
  text: { vocab: 30522, dim: 16, maxPositions: T, layers: 1, heads: 2, ffn: 32, dropout, attentionDropout: dropout },
  logitScale: { learned: true },
  seed: 5,
});

const batch: PatchBatch = {
  index: 0, epoch: 0, batchSize: B, cropsPerStep: 1, patchSize: S, tokenLength: T,
  images: testing.randNormal(B * S * S * 3, 9),
  ids: Uint32Array.from({ length: B * T }, (_, i) => 1000 + ((i * 7919) % 9000)),
  mask: Uint32Array.from({ length: B * T }, (_, i) => (i % T < 3 + (Math.floor(i / T) % 6) ? 1 : 0)),
  texts: [], sources: [],
};

function inputs(gpu: Gpu, start: number, size: number) {
  const px = S * S * 3;
  return {
    images: tensor(gpu, batch.images.subarray(start * px, (start + size) * px), [size, S, S, 3]),
    ids: tensor(gpu, batch.ids.subarray(start * T, (start + size) * T), [size, T], 'u32'),
    mask: tensor(gpu, batch.mask.subarray(start * T, (start + size) * T), [size, T], 'u32'),
  };
}

/** Parameter gradients by name (then cleared), and the running statistics, as host arrays. */
async function gradients(model: ExifClip): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, p] of model.namedParameters()) {
    if (!p.grad) continue;
    out.set(name, await p.grad.data());
    p.grad.dispose();
    p.grad = null;
  }
  return out;
}

async function runningStats(model: ExifClip): Promise<Map<string, Float32Array>> {
  const s = await model.stateDict();
  return new Map([...s].filter(([n]) => /running_(mean|var)$/.test(n)).map(([n, t]) => [n, t.data as Float32Array]));
}

function expectClose(got: Map<string, Float32Array>, want: Map<string, Float32Array>, rel: number): void {
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  const bad: string[] = [];
  // gradients that are zero in exact arithmetic (a key bias: softmax ignores it) are float
  // noise: they are held to a thousandth of the largest gradient of any tensor
  let floor = 0;
  for (const w of want.values()) for (const x of w) floor = Math.max(floor, 1e-3 * Math.abs(x));
  for (const [name, w] of want) {
    const g = got.get(name)!;
    let scale = floor;
    let worst = 0;
    for (let i = 0; i < w.length; i++) {
      scale = Math.max(scale, Math.abs(w[i]));
      worst = Math.max(worst, Math.abs(g[i] - w[i]));
    }
    if (worst > rel * scale) bad.push(`${name}: max |diff| ${worst.toExponential(2)} > ${rel} x ${scale.toExponential(2)}`);
  }
  expect(bad).toEqual([]);
}

async function lossValue(t: Tensor): Promise<number> {
  const v = await t.item();
  t.dispose();
  return v;
}

describe('chunksOf', () => {
  it('covers the batch in order with at most `chunk` rows, sizes within one of each other', () => {
    // balanced: no chunk of one patch, which batch norm could not normalise
    expect(chunksOf(7, 3)).toEqual([{ start: 0, size: 3 }, { start: 3, size: 2 }, { start: 5, size: 2 }]);
    expect(chunksOf(16, 4).map((c) => c.size)).toEqual([4, 4, 4, 4]);
    expect(chunksOf(4, 4)).toEqual([{ start: 0, size: 4 }]);
    expect(() => chunksOf(4, 0)).toThrow(/positive integer/);
  });
});

describe('chunkedGradients', () => {
  it('equals the unchunked step when batch norm runs on fixed statistics', async () => {
    const gpu = await getGpu();
    const model = new ExifClip(gpu, config(0));
    model.eval();
    const x = inputs(gpu, 0, B);
    const ref = scope(() => keep(model.loss(x.images, x.ids, x.mask).loss));
    backward(ref);
    const want = await gradients(model);
    const wantLoss = await lossValue(ref);
    for (const chunk of [2, 3, 6]) {
      const r = await chunkedGradients(gpu, model, batch, chunk);
      const got = await gradients(model);
      const loss = await lossValue(r.loss);
      r.accImage.dispose();
      r.accText.dispose();
      expect(Math.abs(loss - wantLoss)).toBeLessThan(1e-5 * Math.abs(wantLoss));
      expectClose(got, want, 2e-4);
    }
    for (const t of Object.values(x)) t.dispose();
    model.dispose();
  });

  it('equals the chunk-wise batch-norm reference in train mode, dropout replayed, running statistics updated once per chunk', async () => {
    const gpu = await getGpu();
    const chunk = 3;
    const a = new ExifClip(gpu, config(0.2)).train();
    const b = new ExifClip(gpu, config(0.2)).train();
    // reference: every chunk with its graph kept, in the order chunkedGradients runs them
    const ref = scope(() => {
      const imgs: Tensor[] = [];
      const txts: Tensor[] = [];
      for (const c of chunksOf(B, chunk)) {
        const x = inputs(gpu, c.start, c.size);
        imgs.push(b.encodeImage(x.images));
        txts.push(b.encodeText(x.ids, x.mask));
      }
      return keep(b.lossOf(ops.concat(imgs, 0), ops.concat(txts, 0)).loss);
    });
    backward(ref);
    const want = await gradients(b);
    const wantLoss = await lossValue(ref);

    const told: string[] = [];
    const r = await chunkedGradients(gpu, a, batch, chunk, (pass, done, total) => told.push(`${pass} ${done}/${total}`));
    const n = chunksOf(B, chunk).length;
    expect(told).toEqual([...Array.from({ length: n }, (_, i) => `embed ${i + 1}/${n}`), ...Array.from({ length: n }, (_, i) => `replay ${i + 1}/${n}`)]);
    const got = await gradients(a);
    const loss = await lossValue(r.loss);
    r.accImage.dispose();
    r.accText.dispose();
    expect(Math.abs(loss - wantLoss)).toBeLessThan(1e-5 * Math.abs(wantLoss));
    expectClose(got, want, 2e-4);
    expectClose(await runningStats(a), await runningStats(b), 1e-5);
    // and the whole-batch BN statistics are not what a chunked step gives: the reference differs from model.loss
    const c = new ExifClip(gpu, config(0.2)).train();
    const x = inputs(gpu, 0, B);
    const whole = await lossValue(scope(() => keep(c.loss(x.images, x.ids, x.mask).loss)));
    expect(Math.abs(whole - wantLoss)).toBeGreaterThan(1e-4);
    for (const t of Object.values(x)) t.dispose();
    for (const m of [a, b, c]) m.dispose();
  });
});

describe('chunkedTrainStep', () => {
  it('makes the unchunked training step: the same loss and parameter update (BN on fixed statistics)', async () => {
    const gpu = await getGpu();
    // SGD: the update is -lr x gradient, so it inherits the gradients' tolerance (Adam's first
    // step is lr x sign(g), which float noise on an exactly-zero gradient would flip)
    const make = () => {
      const model = new ExifClip(gpu, config(0)).eval();
      return { model, opt: new optim.SGD(model.parameters(), { lr: 0.1 }) };
    };
    const params = async (m: ExifClip) => new Map(await Promise.all([...m.namedParameters()].map(async ([n, p]) => [n, await p.data()] as const)));
    const whole = make();
    const chunked = make();
    const before = await params(whole.model);
    const mw = new GpuMeter(['loss', 'accImage', 'accText']);
    const mc = new GpuMeter(['loss', 'accImage', 'accText']);
    await trainStep(gpu, whole.model, whole.opt, batch, mw);
    await chunkedTrainStep(gpu, chunked.model, chunked.opt, batch, mc, 3);
    const lw = (await mw.read())!.loss;
    const lc = (await mc.read())!.loss;
    expect(Math.abs(lc - lw)).toBeLessThan(1e-5 * Math.abs(lw));
    const delta = async (m: ExifClip) => {
      const after = await params(m);
      return new Map([...before].map(([n, b]) => [n, b.map((v, i) => v - after.get(n)![i])]));
    };
    const dw = await delta(whole.model);
    expect([...dw.values()].some((d) => d.some((v) => v !== 0))).toBe(true);
    expectClose(await delta(chunked.model), dw, 2e-4);
    for (const m of [whole, chunked]) {
      m.opt.dispose();
      m.model.dispose();
    }
  });
});
