/**
 * The training sweep's "make-probe accuracy on held-apart images" column: a model in memory
 * (no checkpoint file), photos given by path, the make probe of run-probe.ts on our features
 * only (a sweep compares runs with one another; the baselines belong in the probe tables).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Gpu } from '@exif-lang/kernels';
import type { ExifClip } from '@exif-lang/models';
import { readExif } from '@exif-lang/data';
import { modelExtractor } from '../localize/model-features.ts';
import { embedImages } from './features.ts';
import { probeTask } from './run-probe.ts';
import { taskLabels } from './tasks.ts';
import type { ProbeImage } from './photo-set.ts';

export interface MakeProbeOptions {
  /** patch side the model embeds (the run's data.patchSize) */
  patchSize: number;
  /** patches per image (default 8, grid) */
  patches?: number;
  seed?: number;
  folds?: number;
}

export interface MakeProbeResult {
  accuracy: number;
  ci: [number, number];
  balancedAccuracy: number;
  /** images and makes that took part (makes with >= 4 images) */
  images: number;
  classes: number;
  majority: number;
}

/**
 * Make-probe accuracy (stratified CV by image) of `model`'s image tower on the images; `make`
 * is read from the file's EXIF when not given. null when fewer than 2 makes have >= 4 images.
 * An image smaller than one patch is an error. No disk cache: the weights change between calls.
 */
export async function makeProbeAccuracy(gpu: Gpu, model: ExifClip, images: readonly { path: string; make?: string }[], o: MakeProbeOptions): Promise<MakeProbeResult | null> {
  const photos: ProbeImage[] = [];
  for (const im of images) {
    const bytes = readFileSync(im.path);
    const ex = await readExif(bytes);
    const exif = ex.ok ? ex.record.tags : {};
    const make = im.make ?? (typeof exif.Make === 'string' ? exif.Make : '');
    photos.push({ id: im.path, path: im.path, hash: createHash('sha1').update(bytes).digest('hex'), width: 0, height: 0, exif, text: '', make, model: '' });
  }
  const t = taskLabels('make', photos);
  if (t.classes.length < 2) return null;
  const chosen = t.images.map((i) => photos[i]);
  const feats = await embedImages(chosen, modelExtractor(model, o.patchSize), {
    plan: { count: o.patches ?? 8, size: o.patchSize, mode: 'grid', seed: o.seed ?? 0 }, key: 'in-memory',
  });
  const r = await probeTask(gpu, { ...t, images: chosen.map((_, j) => j) }, [{ name: 'ours', features: feats }], { seed: o.seed, folds: o.folds });
  return { accuracy: r.ours.accuracy, ci: r.ours.ci, balancedAccuracy: r.ours.balancedAccuracy, images: r.images, classes: r.classes.length, majority: r.majority };
}
