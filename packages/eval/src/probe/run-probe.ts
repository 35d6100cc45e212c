/**
 * One probe table: a task's labels, one feature set per method (ours first, then the
 * baselines), the same cross-validated linear probe on each, the scores with bootstrap CIs.
 */
import type { Gpu } from '@exif-lang/kernels';
import { crossValidateProbe, L2_GRID, OUTER_FOLDS } from './cross-validate.ts';
import type { ImageFeatures } from './features.ts';
import { LOGREG_LR, LOGREG_STEPS } from './logreg.ts';
import { accuracy, balancedAccuracy, bootstrapCi, confusionMatrix, perClassRecall } from './scores.ts';
import type { TaskLabels } from './tasks.ts';

export interface MethodScores {
  accuracy: number;
  /** 95% percentile-bootstrap CI of the accuracy (1000 resamples of the images) */
  ci: [number, number];
  balancedAccuracy: number;
  balancedCi: [number, number];
  perClassRecall: Record<string, number>;
  /** L2 chosen in each outer fold */
  l2: number[];
  /** row-major [true][predicted] counts */
  confusion: number[];
}

export interface ProbeReport {
  task: string;
  rule: string;
  images: number;
  classes: string[];
  folds: number;
  /** accuracy of always answering the most common class */
  majority: number;
  solver: string;
  ours: MethodScores;
  baselines: Record<string, MethodScores>;
}

export interface FeatureSet {
  name: string;
  /** one per photo of the set the task's indices point into */
  features: readonly ImageFeatures[];
}

export const SOLVER = `multinomial logistic regression on z-scored per-image mean features, full-batch Adam (lr ${LOGREG_LR}, cosine to lr/100, ${LOGREG_STEPS} steps) on the GPU; L2 from {${L2_GRID.join(', ')}} by an inner stratified validation fold; stratified ${OUTER_FOLDS}-fold CV by image (fewer when the smallest class is smaller)`;

function scoresOf(t: TaskLabels, pred: Int32Array, l2: number[], seed: number): MethodScores {
  const k = t.classes.length;
  const recall = perClassRecall(t.labels, pred, k);
  return {
    accuracy: accuracy(t.labels, pred),
    ci: bootstrapCi(t.labels.length, (idx) => accuracy(t.labels, pred, idx), { seed }),
    balancedAccuracy: balancedAccuracy(t.labels, pred, k),
    balancedCi: bootstrapCi(t.labels.length, (idx) => balancedAccuracy(t.labels, pred, k, idx), { seed }),
    perClassRecall: Object.fromEntries(t.classes.map((c, i) => [c, recall[i]])),
    l2,
    confusion: [...confusionMatrix(t.labels, pred, k)],
  };
}

export async function probeTask(gpu: Gpu, t: TaskLabels, sets: readonly FeatureSet[], o: { seed?: number; folds?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<ProbeReport> {
  if (t.classes.length < 2) throw new Error(`${t.task}: fewer than 2 classes with enough images (${t.rule})`);
  if (sets.length === 0) throw new Error('probeTask: no feature sets');
  const seed = o.seed ?? 0;
  const results: MethodScores[] = [];
  for (const [m, s] of sets.entries()) {
    const dim = s.features[t.images[0]].dim;
    const x = new Float32Array(t.images.length * dim);
    t.images.forEach((i, j) => x.set(s.features[i].mean, j * dim));
    const cv = await crossValidateProbe(gpu, x, t.labels, t.classes.length, {
      seed, folds: o.folds, onFold: (d, n) => o.onProgress?.(m * n + d, sets.length * n),
    });
    results.push(scoresOf(t, cv.pred, cv.l2, seed));
  }
  const counts = new Map<number, number>();
  for (const l of t.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return {
    task: t.task, rule: t.rule, images: t.images.length, classes: t.classes,
    folds: results[0].l2.length, majority: Math.max(...counts.values()) / t.labels.length, solver: SOLVER,
    ours: results[0],
    baselines: Object.fromEntries(sets.slice(1).map((s, i) => [s.name, results[i + 1]])),
  };
}

const pct = (v: number) => (100 * v).toFixed(1);

/** Markdown table: one row per task and method. */
export function formatProbeTable(reports: readonly ProbeReport[], oursName = 'ours'): string {
  const rows = ['| task | images | classes | majority | method | accuracy % [95% CI] | balanced acc. % [95% CI] |', '| --- | ---: | ---: | ---: | --- | --- | --- |'];
  for (const r of reports) {
    const methods: [string, MethodScores][] = [[oursName, r.ours], ...Object.entries(r.baselines)];
    for (const [name, s] of methods) {
      rows.push(`| ${r.task} | ${r.images} | ${r.classes.length} | ${pct(r.majority)} | ${name} | ${pct(s.accuracy)} [${pct(s.ci[0])}, ${pct(s.ci[1])}] | ${pct(s.balancedAccuracy)} [${pct(s.balancedCi[0])}, ${pct(s.balancedCi[1])}] |`);
    }
  }
  return rows.join('\n');
}
