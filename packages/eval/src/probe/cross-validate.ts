/**
 * The linear probe's protocol: stratified k-fold over images; in each outer fold the features
 * are z-scored on the training images, the L2 strength is chosen from a grid by accuracy on an
 * inner stratified validation fold of the training images (ties go to the stronger penalty),
 * the probe is refitted on all training images with it and predicts the held-out fold. Every
 * image gets exactly one out-of-fold prediction; test images never inform any choice.
 */
import type { Gpu } from '@exif-lang/kernels';
import { foldCount, foldSplit, stratifiedFolds } from './folds.ts';
import { argmaxRows, logRegScores, trainLogReg } from './logreg.ts';
import { applyScaler, fitScaler } from './standardize.ts';

/** L2 strengths tried (on z-scored features, mean cross-entropy objective). */
export const L2_GRID = [1e-3, 1e-2, 1e-1, 1] as const;
export const OUTER_FOLDS = 5;
/** the inner validation fold is one of this many */
export const INNER_FOLDS = 3;

export interface CrossValOptions {
  folds?: number;
  l2Grid?: readonly number[];
  seed?: number;
  steps?: number;
  onFold?: (done: number, total: number) => void;
}

export interface CrossValResult {
  /** out-of-fold prediction per image */
  pred: Int32Array;
  folds: number;
  /** L2 chosen in each outer fold */
  l2: number[];
}

async function fitPredict(gpu: Gpu, x: Float32Array, dim: number, labels: Int32Array, classes: number, train: number[], test: number[], l2: number, steps?: number): Promise<Int32Array> {
  const s = fitScaler(x, dim, train);
  const m = await trainLogReg(gpu, applyScaler(s, x, dim, train), train.map((i) => labels[i]), classes, { l2, steps });
  return argmaxRows(logRegScores(m, applyScaler(s, x, dim, test)), classes);
}

async function chooseL2(gpu: Gpu, x: Float32Array, dim: number, labels: Int32Array, classes: number, train: number[], o: CrossValOptions): Promise<number> {
  const grid = o.l2Grid ?? L2_GRID;
  if (grid.length === 1) return grid[0];
  const sub = Int32Array.from(train, (i) => labels[i]);
  const inner = foldSplit(stratifiedFolds(sub, Math.min(INNER_FOLDS, Math.max(2, train.length >> 1)), (o.seed ?? 0) + 1), 0);
  const tr = inner.train.map((j) => train[j]);
  const va = inner.test.map((j) => train[j]);
  let best = grid[0];
  let bestAcc = -1;
  for (const l2 of grid) {
    const pred = await fitPredict(gpu, x, dim, labels, classes, tr, va, l2, o.steps);
    let ok = 0;
    va.forEach((i, j) => { if (pred[j] === labels[i]) ok++; });
    if (ok / va.length >= bestAcc) [best, bestAcc] = [l2, ok / va.length];
  }
  return best;
}

/** x: [n, dim] one row per image; labels 0..classes-1. */
export async function crossValidateProbe(gpu: Gpu, x: Float32Array, labels: Int32Array, classes: number, o: CrossValOptions = {}): Promise<CrossValResult> {
  const n = labels.length;
  const dim = x.length / n;
  const k = foldCount(labels, o.folds ?? OUTER_FOLDS);
  const folds = stratifiedFolds(labels, k, o.seed ?? 0);
  const pred = new Int32Array(n);
  const l2: number[] = [];
  for (let f = 0; f < k; f++) {
    const { train, test } = foldSplit(folds, f);
    const chosen = await chooseL2(gpu, x, dim, labels, classes, train, o);
    l2.push(chosen);
    const p = await fitPredict(gpu, x, dim, labels, classes, train, test, chosen, o.steps);
    test.forEach((i, j) => { pred[i] = p[j]; });
    o.onFold?.(f + 1, k);
  }
  return { pred, folds: k, l2 };
}
