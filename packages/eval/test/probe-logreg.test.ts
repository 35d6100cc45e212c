// The GPU logistic regression (Adam, autograd) against the float64 reference solver, and the
// probe protocol's pieces: folds, scores, tertiles.
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { rngFromSeed } from '@exif-lang/data';
import { logRegObjective, solveLogRegRef } from '../src/probe/logreg.ref.ts';
import { argmaxRows, logRegScores, trainLogReg } from '../src/probe/logreg.ts';
import { foldCount, foldSplit, stratifiedFolds } from '../src/probe/folds.ts';
import { accuracy, balancedAccuracy, bootstrapCi, confusionMatrix, perClassRecall } from '../src/probe/scores.ts';
import { crossValidateProbe } from '../src/probe/cross-validate.ts';
import { quantile, tertileBuckets } from '../src/probe/tasks.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

/** Gaussian blobs around class centres: separable enough to learn, overlapping enough that L2 matters. */
function blobs(n: number, dim: number, classes: number, spread: number, seed: number) {
  const rng = rngFromSeed(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const centres = Array.from({ length: classes * dim }, () => g());
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % classes;
    for (let d = 0; d < dim; d++) x[i * dim + d] = centres[y[i] * dim + d] + spread * g();
  }
  return { x, y };
}

describe('trainLogReg', () => {
  it('reaches the float64 optimum of the same objective', async () => {
    const { x, y } = blobs(60, 6, 3, 1.2, 1);
    for (const l2 of [1e-2, 1e-1]) {
      const ref = solveLogRegRef(x, y, 3, l2);
      const m = await trainLogReg(gpu, x, y, 3, { l2 });
      // objective of the GPU solution, evaluated in float64: within 1e-3 of the optimum
      const at = logRegObjective(x, y, 3, l2, Float64Array.from(m.weight), Float64Array.from(m.bias));
      expect(at.loss - ref.loss).toBeLessThan(1e-3);
      expect(at.loss).toBeGreaterThanOrEqual(ref.loss - 1e-6);
      expect(Math.abs(m.loss - at.loss)).toBeLessThan(1e-4);
      // the weights themselves (the objective is strongly convex for l2 > 0)
      let diff = 0;
      let mag = 0;
      m.weight.forEach((v, k) => { diff += (v - ref.weight[k]) ** 2; mag += ref.weight[k] ** 2; });
      expect(Math.sqrt(diff / mag)).toBeLessThan(0.05);
      // the same predictions as the reference
      const refScores = new Float64Array(60 * 3);
      for (let i = 0; i < 60; i++) for (let c = 0; c < 3; c++) {
        let s = ref.bias[c];
        for (let d = 0; d < 6; d++) s += x[i * 6 + d] * ref.weight[c * 6 + d];
        refScores[i * 3 + c] = s;
      }
      const agree = accuracy(argmaxRows(refScores, 3), argmaxRows(logRegScores(m, x), 3));
      expect(agree).toBeGreaterThanOrEqual(58 / 60);
    }
  });
});

describe('probe protocol', () => {
  it('stratified folds keep classes in proportion and cover every image once', () => {
    const labels = Int32Array.from({ length: 23 }, (_, i) => (i < 10 ? 0 : i < 18 ? 1 : 2));
    const folds = stratifiedFolds(labels, 5, 3);
    const seen = new Set<number>();
    for (let f = 0; f < 5; f++) {
      const { train, test } = foldSplit(folds, f);
      expect(train.length + test.length).toBe(23);
      for (const i of test) seen.add(i);
      expect(test.filter((i) => labels[i] === 0).length).toBe(2); // 10 images over 5 folds
      expect(test.length === 4 || test.length === 5).toBe(true);
    }
    expect(seen.size).toBe(23);
    expect(foldCount(labels, 5)).toBe(5);
    expect(foldCount(Int32Array.from([0, 0, 1, 1, 1]), 5)).toBe(2);
  });

  it('scores match hand-computed values', () => {
    const t = [0, 0, 0, 1, 2, 2];
    const p = [0, 1, 0, 1, 2, 0];
    expect(accuracy(t, p)).toBeCloseTo(4 / 6, 12);
    expect(balancedAccuracy(t, p, 3)).toBeCloseTo((2 / 3 + 1 + 1 / 2) / 3, 12);
    expect([...perClassRecall(t, p, 3)]).toEqual([2 / 3, 1, 0.5]);
    expect([...confusionMatrix(t, p, 3)]).toEqual([2, 1, 0, 0, 1, 0, 1, 0, 1]);
    const ci = bootstrapCi(6, (idx) => accuracy(t, p, idx), { seed: 1 });
    expect(ci[0]).toBeLessThanOrEqual(4 / 6);
    expect(ci[1]).toBeGreaterThanOrEqual(4 / 6);
    expect(ci[0]).toBeGreaterThan(0);
  });

  it('tertiles: edges at the 1/3 and 2/3 quantiles', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    const b = tertileBuckets([10, 20, 30, 40, 50, 60, undefined]);
    expect(b.edges[0]).toBeCloseTo(26.667, 3);
    expect(b.edges[1]).toBeCloseTo(43.333, 3);
    expect([10, 20, 30, 40, 50, 60].map(b.of)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('cross-validation learns separable classes and is at chance on shuffled labels', async () => {
    const { x, y } = blobs(40, 4, 2, 0.6, 2);
    const cv = await crossValidateProbe(gpu, x, y, 2, { folds: 4, l2Grid: [1e-2, 1], steps: 150 });
    expect(cv.folds).toBe(4);
    expect(accuracy(y, cv.pred)).toBeGreaterThan(0.9);
    const rng = rngFromSeed(9);
    const shuffled = Int32Array.from(y).sort(() => rng() - 0.5);
    const cvNoise = await crossValidateProbe(gpu, Float32Array.from({ length: 160 }, () => rng()), shuffled, 2, { folds: 4, l2Grid: [1], steps: 150 });
    expect(accuracy(shuffled, cvNoise.pred)).toBeLessThan(0.8);
  });
});
