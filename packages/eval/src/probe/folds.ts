/**
 * Splits for probes, always by image (a sample here is one image; its patches never straddle
 * folds). Stratified k-fold: each class's images are shuffled (seeded) and dealt round-robin
 * to the folds, so every fold holds each class in proportion; a class with fewer images than
 * folds is in some folds only (its images still all get a test fold).
 */
import { derivedRng, shuffleInPlace } from '@exif-lang/data';

/** fold (0..k-1) of each sample */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new Error(`stratifiedFolds: k must be an integer >= 2, got ${k}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const fold = new Int32Array(labels.length);
  let offset = 0; // continue the deal where the previous class stopped: folds stay the same size
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = shuffleInPlace([...(byClass.get(c) ?? [])], derivedRng(seed, 'folds', c));
    members.forEach((i, j) => { fold[i] = (offset + j) % k; });
    offset += members.length;
  }
  return fold;
}

/** Indices of the samples in / not in a fold. */
export function foldSplit(folds: Int32Array, f: number): { train: number[]; test: number[] } {
  const train: number[] = [];
  const test: number[] = [];
  folds.forEach((v, i) => (v === f ? test : train).push(i));
  return { train, test };
}

/** Folds for k-fold CV of this data: k, capped by the smallest class so every fold can train on it. */
export function foldCount(labels: ArrayLike<number>, wanted: number): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  const smallest = Math.min(...counts.values());
  return Math.max(2, Math.min(wanted, smallest));
}
