/**
 * The training step's GPU memory before any training: a fresh model of the config runs two
 * probe passes (forward, InfoNCE, backward; no update) of 2 and 4 random patches, and the
 * pool's high-water mark and largest single buffer of each give a line in the patches per
 * pass (activations grow with the batch; weights and gradients do not):
 *
 *   step bytes   ~ fixed + perPatch * pass + Adam's two moments (2 x parameter bytes)
 *                  (+ the [B, E] embeddings, their gradients and the B x B logits when chunked)
 *   largest      ~ fixedLargest + largestPerPatch * pass
 *
 * where pass = data.chunkSize ?? data.batchSize x data.cropsPerStep (a multi-crop step's texts
 * are counted once per crop: an overestimate of the text tower's share). WebGPU reports no device memory size, so the
 * check is against maxStorageBufferBindingSize (one buffer) everywhere, and against 80% of
 * the host's RAM on a CPU adapter (lavapipe allocates GPU buffers there); on a real GPU the
 * total is printed, not checked. The pool rounds buffers up to size classes, so this is an
 * estimate: the step's measured high-water mark is logged with every training window.
 */
import { totalmem } from 'node:os';
import type { Gpu } from '@exif-lang/kernels';
import { ExifClip, backward, keep, scope, tensor } from '@exif-lang/models';
import type { TrainConfig } from './config.ts';
import { exifClipConfig } from './model-config.ts';

export interface MemoryEstimate {
  /** patches per forward/backward pass (the chunk, or the whole batch) */
  pass: number;
  batch: number;
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

async function probe(gpu: Gpu, model: ExifClip, c: TrainConfig, n: number): Promise<{ peak: number; largest: number }> {
  const P = c.data.patchSize;
  const T = c.model.text.maxTokens;
  const images = new Float32Array(n * P * P * 3).map((_, i) => Math.sin(i * 0.37));
  const ids = Uint32Array.from({ length: n * T }, (_, i) => 1000 + ((i * 7919) % 20000));
  const mask = new Uint32Array(n * T).fill(1);
  gpu.pool.takePeakInUse();
  gpu.pool.takeLargestAcquire();
  const loss = scope(() => keep(model.loss(tensor(gpu, images, [n, P, P, 3]), tensor(gpu, ids, [n, T], 'u32'), tensor(gpu, mask, [n, T], 'u32')).loss));
  backward(loss);
  const peak = gpu.pool.takePeakInUse();
  const largest = gpu.pool.takeLargestAcquire();
  loss.dispose();
  for (const p of model.parameters()) {
    p.grad?.dispose();
    p.grad = null;
  }
  await gpu.sync();
  return { peak, largest };
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
  let peak: Line;
  let largest: Line;
  let parameterBytes: number;
  try {
    const r = [];
    for (const n of PROBES) r.push(await probe(gpu, model, c, n));
    peak = fit(r[0].peak, r[1].peak);
    largest = fit(r[0].largest, r[1].largest);
    parameterBytes = model.parameterCount() * 4;
  } finally {
    model.dispose();
  }
  const B = c.data.batchSize;
  const E = c.model.embed;
  const maxBufferBytes = limits.maxBufferBytes ?? gpu.limits.maxStorageBufferBindingSize;
  const budgetBytes = limits.budgetBytes !== undefined ? limits.budgetBytes : gpu.adapter.isCpu ? 0.8 * totalmem() : null;
  const bytesFor = (pass: number) => {
    const chunked = pass < B ? 4 * (4 * B * E + 4 * B * B) : 0;
    return { step: at(peak, pass) + 2 * parameterBytes + chunked, largest: Math.max(at(largest, pass), pass < B ? 4 * B * B : 0) };
  };
  const fitsWith = (pass: number) => {
    const m = bytesFor(pass);
    return m.largest <= maxBufferBytes && (budgetBytes === null || m.step <= budgetBytes);
  };
  const pass = c.data.chunkSize ?? B * c.data.cropsPerStep;
  const m = bytesFor(pass);
  const fits = fitsWith(pass);
  let suggestedChunk: number | null = null;
  if (!fits) for (let k = 2; k < B && fitsWith(k); k *= 2) suggestedChunk = k;
  return { pass, batch: B, stepBytes: m.step, largestBufferBytes: m.largest, parameterBytes, maxBufferBytes, budgetBytes, fits, suggestedChunk };
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

export function describeMemory(m: MemoryEstimate): string {
  const pass = m.pass < m.batch ? `chunks of ${m.pass} of a batch of ${m.batch}` : `a batch of ${m.batch} in one pass`;
  const budget = m.budgetBytes === null ? 'device memory not reported by WebGPU' : `budget ${mib(m.budgetBytes)}`;
  return `memory: ~${mib(m.stepBytes)} per training step with ${pass}, largest buffer ~${mib(m.largestBufferBytes)} (device limit ${mib(m.maxBufferBytes)}; ${budget}); parameters ${mib(m.parameterBytes)}`;
}

/** The error a batch that cannot fit gets, before any training. */
export function memoryError(m: MemoryEstimate): Error {
  const fix = m.suggestedChunk !== null
    ? `set data.chunkSize=${m.suggestedChunk} (gradient caching: the same full-batch loss, ${m.suggestedChunk} patches per pass)`
    : 'even chunks of 2 patches do not fit: lower data.patchSize or the model size';
  return new Error(`data.batchSize=${m.batch} does not fit this device: ${describeMemory(m)}; ${fix}`);
}
