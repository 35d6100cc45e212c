/**
 * The training step's GPU memory before any training: a fresh model of the config runs two
 * probe steps (forward, the step's own loss, backward; no update) of 2 and 4 photos with
 * data.cropsPerStep crops each, and the pool's high-water marks give lines in the photos per
 * pass (activations grow with the batch; weights and gradients do not). The forward and the
 * backward are fitted apart: on small probes the backward's peak is the fixed parameter
 * gradients and hides the activations' growth, which the forward's peak shows.
 *
 *   step bytes   ~ max(forward line, backward line)(photos per pass) + Adam's two moments
 *                  (2 x parameter bytes) (+ the [B, E] embeddings, their gradients and the
 *                  B x B logits when chunked)
 *   largest      ~ max(forward line, backward line)(photos per pass), of the largest buffer
 *                  each acquires (the backward's is a parameter-sized gradient on small probes)
 *
 * where a pass is data.chunkSize patches (gradient caching, one crop per photo) or the whole
 * batch. WebGPU reports no device memory size, so the check is against
 * maxStorageBufferBindingSize (one buffer) everywhere, and against 80% of the host's RAM on a
 * CPU adapter (lavapipe allocates GPU buffers there); on a real GPU the total is printed, not
 * checked. The pool rounds buffers up to size classes, so this is an estimate: the step's
 * measured high-water mark is logged with every training window.
 */
import { totalmem } from 'node:os';
import type { Gpu } from '@exif-lang/kernels';
import { ExifClip, backward, keep, scope, tensor } from '@exif-lang/models';
import type { TrainConfig } from './config.ts';
import { exifClipConfig } from './model-config.ts';
import { multiCropLoss } from './multi-crop-loss.ts';

export interface MemoryEstimate {
  /** patches per forward/backward pass (the chunk, or the whole batch: photos x crops) */
  pass: number;
  /** photos per step */
  batch: number;
  /** crops of each photo in a step (data.cropsPerStep) */
  crops: number;
  stepBytes: number;
  largestBufferBytes: number;
  parameterBytes: number;
  /** the device's one-buffer limit */
  maxBufferBytes: number;
  /** the total the step must stay under (null: not known for this adapter) */
  budgetBytes: number | null;
  fits: boolean;
  /** when it does not fit: the largest power-of-two chunk that does (null when even 2 does not) */
  suggestedChunk: number | null;
}

interface Line {
  fixed: number;
  slope: number;
}

const PROBES = [2, 4] as const;

function at(l: Line, n: number): number {
  return l.fixed + l.slope * n;
}

/** The pool's high-water mark and largest buffer acquired over one phase of a probe step. */
interface Phase {
  peak: number;
  largest: number;
}

const takePhase = (gpu: Gpu): Phase => ({ peak: gpu.pool.takePeakInUse(), largest: gpu.pool.takeLargestAcquire() });

/** One step's loss and backward on n photos x K crops of made-up data: [forward, backward]. */
async function probe(gpu: Gpu, model: ExifClip, c: TrainConfig, n: number): Promise<Phase[]> {
  const P = c.data.patchSize;
  const T = c.model.text.maxTokens;
  const K = c.data.cropsPerStep;
  const images = new Float32Array(K * n * P * P * 3).map((_, i) => Math.sin(i * 0.37));
  const ids = Uint32Array.from({ length: n * T }, (_, i) => 1000 + ((i * 7919) % 20000));
  const mask = new Uint32Array(n * T).fill(1);
  takePhase(gpu);
  const loss = scope(() => {
    const img = model.encodeImage(tensor(gpu, images, [K * n, P, P, 3]));
    const txt = model.encodeText(tensor(gpu, ids, [n, T], 'u32'), tensor(gpu, mask, [n, T], 'u32'));
    return keep(multiCropLoss(model, img, txt, K, c.model.imageImageWeight).loss);
  });
  const forward = takePhase(gpu);
  backward(loss);
  const backwardPhase = takePhase(gpu);
  loss.dispose();
  for (const p of model.parameters()) {
    p.grad?.dispose();
    p.grad = null;
  }
  await gpu.sync();
  return [forward, backwardPhase];
}

function fit(a: number, b: number): Line {
  const slope = Math.max(0, (b - a) / (PROBES[1] - PROBES[0]));
  return { fixed: a - slope * PROBES[0], slope };
}

export interface MemoryLimits {
  /** default: the device's maxStorageBufferBindingSize */
  maxBufferBytes?: number;
  /** default: 80% of host RAM on a CPU adapter, else none */
  budgetBytes?: number | null;
}

export async function estimateStepMemory(gpu: Gpu, c: TrainConfig, limits: MemoryLimits = {}): Promise<MemoryEstimate> {
  const model = new ExifClip(gpu, exifClipConfig(c)).train();
  let lines: { peak: Line; largest: Line }[];
  let parameterBytes: number;
  try {
    const r: Phase[][] = [];
    for (const n of PROBES) r.push(await probe(gpu, model, c, n));
    // one line per phase (forward, backward) and quantity
    lines = r[0].map((a, i) => ({ peak: fit(a.peak, r[1][i].peak), largest: fit(a.largest, r[1][i].largest) }));
    parameterBytes = model.parameterCount() * 4;
  } finally {
    model.dispose();
  }
  const B = c.data.batchSize;
  const E = c.model.embed;
  const maxBufferBytes = limits.maxBufferBytes ?? gpu.limits.maxStorageBufferBindingSize;
  const budgetBytes = limits.budgetBytes !== undefined ? limits.budgetBytes : gpu.adapter.isCpu ? 0.8 * totalmem() : null;
  const K = c.data.cropsPerStep;
  // a pass of n photos (n patches when chunked: chunking needs one crop per photo)
  const bytesFor = (n: number) => {
    const chunked = n < B ? 4 * (4 * B * E + 4 * B * B) : 0;
    const peak = Math.max(...lines.map((l) => at(l.peak, n)));
    const largest = Math.max(...lines.map((l) => at(l.largest, n)));
    return { step: peak + 2 * parameterBytes + chunked, largest: Math.max(largest, n < B ? 4 * B * B : 0) };
  };
  const fitsWith = (n: number) => {
    const m = bytesFor(n);
    return m.largest <= maxBufferBytes && (budgetBytes === null || m.step <= budgetBytes);
  };
  const photos = c.data.chunkSize ?? B;
  const m = bytesFor(photos);
  const fits = fitsWith(photos);
  let suggestedChunk: number | null = null;
  if (!fits && K === 1) for (let k = 2; k < B && fitsWith(k); k *= 2) suggestedChunk = k;
  return { pass: photos * K, batch: B, crops: K, stepBytes: m.step, largestBufferBytes: m.largest, parameterBytes, maxBufferBytes, budgetBytes, fits, suggestedChunk };
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

export function describeMemory(m: MemoryEstimate): string {
  const whole = m.crops > 1 ? `a batch of ${m.batch} photos x ${m.crops} crops in one pass` : `a batch of ${m.batch} in one pass`;
  const pass = m.pass < m.batch ? `chunks of ${m.pass} of a batch of ${m.batch}` : whole;
  const budget = m.budgetBytes === null ? 'device memory not reported by WebGPU' : `budget ${mib(m.budgetBytes)}`;
  return `memory: ~${mib(m.stepBytes)} per training step with ${pass}, largest buffer ~${mib(m.largestBufferBytes)} (device limit ${mib(m.maxBufferBytes)}; ${budget}); parameters ${mib(m.parameterBytes)}`;
}

/** The error a batch that cannot fit gets, before any training. */
export function memoryError(m: MemoryEstimate): Error {
  const fix = m.crops > 1
    ? 'multi-crop steps are not gradient-cached: lower data.cropsPerStep or data.batchSize'
    : m.suggestedChunk !== null
      ? `set data.chunkSize=${m.suggestedChunk} (gradient caching: the same full-batch loss, ${m.suggestedChunk} patches per pass)`
      : 'even chunks of 2 patches do not fit: lower data.patchSize or the model size';
  return new Error(`data.batchSize=${m.batch} does not fit this device: ${describeMemory(m)}; ${fix}`);
}
