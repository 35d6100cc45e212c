/**
 * A checkpoint as a patch feature extractor: our training checkpoints and canonical
 * safetensors, or a PyTorch .pth in the official layout (models' loadModel). The patch size is
 * the training run's `data.patchSize` when the checkpoint records one, else the paper's 124.
 */
import { openSource, readSafetensorsHeader, loadModel, ExifClip, type CheckpointInput, type LoadedModel } from '@exif-lang/models';
import type { Gpu } from '@exif-lang/kernels';
import { modelExtractor } from './model-features.ts';
import type { FeatureExtractor } from './types.ts';

/** The paper's evaluation patch. */
export const PAPER_PATCH_SIZE = 124;

/** A number field of the run config in a safetensors header, if any (a path, or the bytes a page holds). */
function recordedDataField(input: CheckpointInput, field: 'patchSize' | 'cropAlign'): number | undefined {
  if (typeof input === 'string' && !input.endsWith('.safetensors')) return undefined;
  const src = openSource(input);
  try {
    const meta = readSafetensorsHeader(src).metadata;
    if (!meta.config) return undefined;
    const c = JSON.parse(meta.config) as { data?: Record<string, unknown> };
    const v = c.data?.[field];
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  } finally {
    src.close();
  }
}

/** data.patchSize of the training run. */
export function recordedPatchSize(input: CheckpointInput): number | undefined {
  return recordedDataField(input, 'patchSize');
}

/** The grid the checkpoint's training crops were cut on (data.cropAlign; 1 when not recorded). */
export function recordedCropAlign(input: CheckpointInput): number {
  return recordedDataField(input, 'cropAlign') ?? 1;
}

export interface OpenedExtractor {
  extractor: FeatureExtractor;
  model: ExifClip;
  patchSize: number;
  loaded: LoadedModel;
  dispose(): void;
}

export interface OpenExtractorOptions {
  /** overrides the recorded patch size */
  patchSize?: number;
  textHeads?: number;
  onProgress?: (done: number, total: number) => void;
  /** shown in errors when the checkpoint is given as bytes */
  name?: string;
}

export function openExtractor(gpu: Gpu, input: CheckpointInput, opts: OpenExtractorOptions = {}): OpenedExtractor {
  const loaded = loadModel(gpu, input, { textHeads: opts.textHeads, name: opts.name });
  const patchSize = opts.patchSize ?? recordedPatchSize(input) ?? PAPER_PATCH_SIZE;
  return {
    extractor: modelExtractor(loaded.model, patchSize, 'ours', { onProgress: opts.onProgress }),
    model: loaded.model,
    patchSize,
    loaded,
    dispose: () => loaded.model.dispose(),
  };
}

/** The baseline "same architecture, random weights": a fresh model of the checkpoint's structure. */
export function randomInitExtractor(gpu: Gpu, like: OpenedExtractor, seed = 1234): FeatureExtractor & { dispose(): void } {
  const model = new ExifClip(gpu, { ...like.model.config, seed });
  model.eval();
  const ex = modelExtractor(model, like.patchSize, 'random-init');
  return { ...ex, dispose: () => model.dispose() };
}
