/**
 * data.valProbe: the sweep's "make-probe accuracy on held-apart images". The run's model as it
 * stands, its own patch size, the held-apart photos' EXIF Make as labels; eval's probe does the
 * embedding (grid patches) and the stratified cross-validation. Photos inside a WebDataset
 * shard have no file to read and are left out (said in the note).
 */
import type { Gpu } from '@exif-lang/kernels';
import type { ExifClip } from '@exif-lang/models';
import type { IndexEntry } from '@exif-lang/data';
import { makeProbeAccuracy } from '@exif-lang/eval';
import type { ProbeRecord } from './log.ts';

export type ProbeScores = Omit<ProbeRecord, 'type' | 'step' | 'elapsed'> & { skipped: number };

export async function evaluateProbeValidation(gpu: Gpu, model: ExifClip, val: readonly IndexEntry[], patchSize: number, seed: number): Promise<ProbeScores> {
  const t0 = performance.now();
  const files = val.filter((e) => e.member === undefined);
  const images = files.map((e) => ({ path: e.path, make: typeof e.exif.Make === 'string' ? e.exif.Make : '' }));
  const r = await makeProbeAccuracy(gpu, model, images, { patchSize, seed });
  const seconds = (performance.now() - t0) / 1000;
  const skipped = val.length - files.length;
  if (r === null) return { accuracy: null, balancedAccuracy: null, ci: null, images: 0, classes: 0, majority: null, seconds, skipped };
  return { accuracy: r.accuracy, balancedAccuracy: r.balancedAccuracy, ci: r.ci, images: r.images, classes: r.classes, majority: r.majority, seconds, skipped };
}
