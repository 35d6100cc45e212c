/**
 * Gradient caching (Gao et al., "Scaling Deep Contrastive Learning Batch Size under Memory
 * Limited Setup", 2021): a training step on a batch larger than fits, split into chunks.
 *
 *   1. every chunk's image and text embeddings, without gradients (no activations kept);
 *   2. the full batch's InfoNCE on those embeddings as leaves; one backward gives the loss's
 *      gradient with respect to every embedding (and to a learned logit scale);
 *   3. every chunk again, with gradients, back-propagated from its slice of that gradient;
 *      parameter gradients accumulate over chunks; then one optimizer update.
 *
 * Peak memory is one chunk's activations plus the [B, E] embeddings and the B x B logits.
 * The replay in 3 must be the forward of 1: dropout layers are keyed by a call counter, so
 * each chunk's counters are saved before 1 and restored before 3. Batch norm normalises
 * each chunk with that chunk's statistics (as data-parallel training without synchronised BN
 * does per device: the official batch of 1024 ran on several GPUs), and its running
 * statistics are updated once per chunk: they are saved before 1 and restored after it, so
 * the replay updates them exactly once. A chunked step therefore equals the unchunked one
 * exactly only when BN runs on fixed statistics; with batch statistics it equals a step whose
 * loss sees the full batch but whose BN sees chunks (what test/chunked-step.test.ts checks).
 */
import type { Gpu, GpuBuffer } from '@exif-lang/kernels';
import type { PatchBatch } from '@exif-lang/data';
import { backward, keep, nn, noGrad, ops, scope, tensor, type ExifClip, type Tensor, type optim } from '@exif-lang/models';
import type { GpuMeter } from './meter.ts';
import { update, yieldToEventLoop } from './step.ts';

export interface Chunk {
  start: number;
  size: number;
}

/**
 * As few chunks of at most `chunk` rows as cover `batch`, their sizes within one of each other
 * (7 by 3: 3, 2, 2, not 3, 3, 1): a chunk of one patch would leave batch norm nothing to
 * normalise over once the spatial size reaches 1 x 1.
 */
export function chunksOf(batch: number, chunk: number): Chunk[] {
  if (!(Number.isInteger(chunk) && chunk >= 1)) throw new Error(`chunk size ${chunk} is not a positive integer`);
  const n = Math.ceil(batch / chunk);
  const out: Chunk[] = [];
  for (let k = 0, start = 0; k < n; k++) {
    const size = Math.floor(batch / n) + (k < batch % n ? 1 : 0);
    out.push({ start, size });
    start += size;
  }
  return out;
}

/** One chunk's rows of the batch as tensors. */
function chunkInputs(gpu: Gpu, b: PatchBatch, c: Chunk): { images: Tensor; ids: Tensor; mask: Tensor } {
  const px = b.patchSize * b.patchSize * 3;
  const T = b.tokenLength;
  return {
    images: tensor(gpu, b.images.subarray(c.start * px, (c.start + c.size) * px), [c.size, b.patchSize, b.patchSize, 3]),
    ids: tensor(gpu, b.ids.subarray(c.start * T, (c.start + c.size) * T), [c.size, T], 'u32'),
    mask: tensor(gpu, b.mask.subarray(c.start * T, (c.start + c.size) * T), [c.size, T], 'u32'),
  };
}

/** The model's random and running state that a replayed forward must not advance twice. */
class ForwardState {
  private readonly dropouts: nn.Dropout[] = [];
  private readonly norms: nn.BatchNorm2d[] = [];

  constructor(model: ExifClip) {
    for (const [, m] of model.modules()) {
      if (m instanceof nn.Dropout) this.dropouts.push(m);
      if (m instanceof nn.BatchNorm2d) this.norms.push(m);
    }
  }

  dropoutCalls(): number[] {
    return this.dropouts.map((d) => d.calls);
  }

  setDropoutCalls(calls: readonly number[]): void {
    this.dropouts.forEach((d, i) => (d.calls = calls[i]));
  }

  /** Copies of the running statistics; restore() writes them back and frees them. */
  saveNorms(gpu: Gpu): () => void {
    const saved: { mean: GpuBuffer; var: GpuBuffer; n: number }[] = this.norms.map((m) => {
      const mean = gpu.alloc(m.runningMean.buffer.byteLength, 'saved running_mean');
      const v = gpu.alloc(m.runningVar.buffer.byteLength, 'saved running_var');
      gpu.copy(m.runningMean.buffer, mean);
      gpu.copy(m.runningVar.buffer, v);
      return { mean, var: v, n: m.numBatchesTracked.value };
    });
    return () => {
      this.norms.forEach((m, i) => {
        gpu.copy(saved[i].mean, m.runningMean.buffer);
        gpu.copy(saved[i].var, m.runningVar.buffer);
        m.numBatchesTracked.value = saved[i].n;
        saved[i].mean.release();
        saved[i].var.release();
      });
    };
  }
}

export interface ChunkedLoss {
  loss: Tensor;
  accImage: Tensor;
  accText: Tensor;
}

/** Told after each chunk of pass 1 ('embed') and pass 3 ('replay'): a paper-size step is long. */
export type ChunkProgress = (pass: 'embed' | 'replay', done: number, total: number) => void;

/**
 * Steps 1-3: leaves the full batch's gradient in the parameters' `.grad` and returns the loss
 * and accuracies (the caller's to dispose). No optimizer update.
 */
export async function chunkedGradients(gpu: Gpu, model: ExifClip, b: PatchBatch, chunk: number, onChunk?: ChunkProgress): Promise<ChunkedLoss> {
  const chunks = chunksOf(b.batchSize, chunk);
  const state = new ForwardState(model);
  const calls: number[][] = [];
  const restoreNorms = state.saveNorms(gpu);
  const imgs: Tensor[] = [];
  const txts: Tensor[] = [];
  let emb: { img: Tensor; txt: Tensor } | null = null;
  let r: ChunkedLoss | null = null;
  try {
    // 1. embeddings chunk by chunk, no graph. Waiting for the GPU before each chunk bounds what
    // is queued to one chunk's work: recording runs far ahead of a slow device, and every queued
    // dispatch pins a bind group (lavapipe crashed in descriptor-pool allocation at batch 1024).
    for (const c of chunks) {
      await gpu.sync();
      calls.push(state.dropoutCalls());
      noGrad(() =>
        scope(() => {
          const x = chunkInputs(gpu, b, c);
          imgs.push(keep(model.encodeImage(x.images)));
          txts.push(keep(model.encodeText(x.ids, x.mask)));
        }),
      );
      onChunk?.('embed', imgs.length, chunks.length);
    }
    const after = state.dropoutCalls();
    restoreNorms();
    // 2. the full-batch loss on the embeddings as leaves; its gradient w.r.t. them
    await yieldToEventLoop();
    const e = noGrad(() => scope(() => ({ img: keep(ops.concat(imgs, 0)), txt: keep(ops.concat(txts, 0)) })));
    emb = e;
    e.img.requiresGrad = true;
    e.txt.requiresGrad = true;
    const out = scope(() => {
      const o = model.lossOf(e.img, e.txt);
      return { loss: keep(o.loss), accImage: keep(o.accImage), accText: keep(o.accText) };
    });
    r = out;
    backward(out.loss);
    const gImg = e.img.grad;
    const gTxt = e.txt.grad;
    if (!gImg || !gTxt) throw new Error('gradient caching: the loss gave no gradient for the embeddings');
    // 3. each chunk again with gradients, seeded with its slice of the embedding gradient
    for (let k = 0; k < chunks.length; k++) {
      const c = chunks[k];
      await gpu.sync();
      state.setDropoutCalls(calls[k]);
      scope(() => {
        const x = chunkInputs(gpu, b, c);
        const yi = model.encodeImage(x.images);
        backward(yi, { grad: noGrad(() => ops.narrow(gImg, 0, c.start, c.size)) });
      });
      await gpu.sync();
      scope(() => {
        const x = chunkInputs(gpu, b, c);
        const yt = model.encodeText(x.ids, x.mask);
        backward(yt, { grad: noGrad(() => ops.narrow(gTxt, 0, c.start, c.size)) });
      });
      onChunk?.('replay', k + 1, chunks.length);
    }
    const replayed = state.dropoutCalls();
    if (replayed.some((n, i) => n !== after[i])) throw new Error('gradient caching: the replay used other dropout calls than the first pass');
    return out;
  } catch (err) {
    if (r) for (const t of [r.loss, r.accImage, r.accText]) t.dispose();
    throw err;
  } finally {
    for (const t of [...imgs, ...txts]) t.dispose();
    if (emb) {
      for (const t of [emb.img, emb.txt]) {
        t.grad?.dispose();
        t.grad = null;
        t.dispose();
      }
    }
  }
}

/** A gradient-cached training step (trainStep's contract); returns the learning rate used. */
export async function chunkedTrainStep(gpu: Gpu, model: ExifClip, opt: optim.Optimizer, b: PatchBatch, meter: GpuMeter, chunk: number, onChunk?: ChunkProgress): Promise<number> {
  if (b.cropsPerStep !== 1) throw new Error(`chunkedTrainStep: a batch of ${b.cropsPerStep} crops per photo is not gradient-cached (data.cropsPerStep must be 1 with data.chunkSize)`);
  const r = await chunkedGradients(gpu, model, b, chunk, onChunk);
  return update(opt, meter, r, () => {}); // the gradients are already in place
}
