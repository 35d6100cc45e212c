/**
 * Probe scores: accuracy, balanced accuracy (mean per-class recall: a make probe on a set where
 * one brand dominates cannot score by guessing it), per-class recall, the confusion matrix, and a
 * percentile bootstrap over images for a confidence interval.
 */
import { derivedRng } from '@exif-lang/data';

/** counts[t * classes + p]: images of true class t predicted as p */
export function confusionMatrix(truth: ArrayLike<number>, pred: ArrayLike<number>, classes: number): Int32Array {
  const m = new Int32Array(classes * classes);
  for (let i = 0; i < truth.length; i++) m[truth[i] * classes + pred[i]]++;
  return m;
}

export function accuracy(truth: ArrayLike<number>, pred: ArrayLike<number>, idx?: ArrayLike<number>): number {
  const n = idx ? idx.length : truth.length;
  let ok = 0;
  for (let j = 0; j < n; j++) {
    const i = idx ? idx[j] : j;
    if (truth[i] === pred[i]) ok++;
  }
  return n ? ok / n : 0;
}

/** Recall per class (NaN for a class without images). */
export function perClassRecall(truth: ArrayLike<number>, pred: ArrayLike<number>, classes: number, idx?: ArrayLike<number>): Float64Array {
  const hit = new Float64Array(classes);
  const all = new Float64Array(classes);
  const n = idx ? idx.length : truth.length;
  for (let j = 0; j < n; j++) {
    const i = idx ? idx[j] : j;
    all[truth[i]]++;
    if (truth[i] === pred[i]) hit[truth[i]]++;
  }
  return hit.map((h, c) => (all[c] ? h / all[c] : NaN));
}

/** Mean recall over the classes present (sklearn's balanced_accuracy_score). */
export function balancedAccuracy(truth: ArrayLike<number>, pred: ArrayLike<number>, classes: number, idx?: ArrayLike<number>): number {
  const r = perClassRecall(truth, pred, classes, idx).filter((v) => !Number.isNaN(v));
  return r.length ? r.reduce((a, b) => a + b, 0) / r.length : 0;
}

export interface BootstrapOptions {
  resamples?: number;
  /** two-sided level, default 0.95 */
  level?: number;
  seed?: number;
}

/** Percentile bootstrap CI of a statistic of the images (resampled with replacement). */
export function bootstrapCi(n: number, stat: (idx: Int32Array) => number, o: BootstrapOptions = {}): [number, number] {
  const reps = o.resamples ?? 1000;
  const level = o.level ?? 0.95;
  const rng = derivedRng(o.seed ?? 0, 'bootstrap');
  const vals = new Float64Array(reps);
  const idx = new Int32Array(n);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng() * n);
    vals[r] = stat(idx);
  }
  vals.sort();
  const q = (p: number) => vals[Math.min(reps - 1, Math.max(0, Math.floor(p * reps)))];
  return [q((1 - level) / 2), q(1 - (1 - level) / 2)];
}
