// Splice-localization metrics against sklearn / numpy values (fixtures/metrics.json, written by
// scripts/eval/make_metric_fixtures.py), plus edge cases and one full-resolution map.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  bestF1,
  cIoU,
  ciouBoth,
  ciouThresholds,
  mccBoth,
  rankingStats,
  splitSorted,
  detectionScores,
  mccAt,
  meanScores,
  rocAuc,
  scoreLocalization,
  type PixelScores,
} from '../src/metrics/index.ts';

type Num = number | null; // null = NaN in the JSON
interface LocCase {
  name: string;
  labels: number[];
  scores: number[];
  f32?: boolean;
  ap: Num; apInverted: Num; auc: Num; aucInverted: Num; f1: Num; f1Inverted: Num;
  mcc: Num; mccInverted: Num; ciou: Num; ciouInverted: Num; ciouSingle: Num; ciouSingleInverted: Num;
  best: Record<keyof PixelScores, Num>;
}
interface DetCase { name: string; labels: number[]; scores: number[]; ap: Num; auc: Num }
const FIX = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'metrics.json'), 'utf8')) as {
  localization: LocCase[];
  detection: DetCase[];
};

// Every value is a float64 computation on the same doubles; only summation order differs.
const TOL = 1e-9;
function close(actual: number, expected: Num, what: string) {
  if (expected === null) expect(actual, what).toBeNaN();
  else expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOL);
}

describe('localization metrics vs sklearn / numpy', () => {
  for (const c of FIX.localization) {
    it(c.name, () => {
      const inverted = c.scores.map((s) => 1 - s); // what numpy's `1 - map` holds
      const metrics = {
        ap: averagePrecision, auc: rocAuc, f1: bestF1, mcc: mccAt,
        ciou: (l: ArrayLike<number>, s: ArrayLike<number>) => cIoU(l, s, 'official'),
        ciouSingle: (l: ArrayLike<number>, s: ArrayLike<number>) => cIoU(l, s, 'single'),
      } as const;
      for (const [key, fn] of Object.entries(metrics) as [keyof typeof metrics, (l: ArrayLike<number>, s: ArrayLike<number>) => number][]) {
        close(fn(c.labels, c.scores), c[key], `${c.name} ${key}`);
        close(fn(c.labels, inverted), c[`${key}Inverted`], `${c.name} ${key} of 1 - map`);
      }
      // the inverted map's metrics computed without allocating it (sorted the other way,
      // binned as 1 - s) match sklearn on the inverted map itself
      const r = rankingStats(splitSorted(c.labels, c.scores), true);
      close(r.ap, c.apInverted, `${c.name} ap, inverted walk`);
      close(r.auc, c.aucInverted, `${c.name} auc, inverted walk`);
      close(r.f1, c.f1Inverted, `${c.name} f1, inverted walk`);
      close(mccBoth(c.labels, c.scores).inverted, c.mccInverted, `${c.name} mcc, inverted count`);
      const ci = ciouBoth(c.labels, c.scores).inverted;
      close(ci.official, c.ciouInverted, `${c.name} ciou, inverted bins`);
      close(ci.single, c.ciouSingleInverted, `${c.name} ciouSingle, inverted bins`);
      const inputs: ArrayLike<number>[] = [c.scores, Float64Array.from(c.scores)];
      if (c.f32) inputs.push(Float32Array.from(c.scores));
      for (const map of inputs) {
        const got = scoreLocalization(Uint8Array.from(c.labels), map);
        for (const key of Object.keys(c.best) as (keyof PixelScores)[]) {
          close(got[key], c.best[key], `${c.name} best ${key} (${map.constructor.name})`);
        }
      }
    });
  }
});

describe('detection scores vs sklearn', () => {
  for (const c of FIX.detection) {
    it(c.name, () => {
      const got = detectionScores(c.labels, c.scores);
      close(got.ap, c.ap, `${c.name} ap`);
      close(got.auc, c.auc, `${c.name} auc`);
    });
  }
});

describe('metric edge cases', () => {
  it("reproduces sklearn's documented examples", () => {
    // average_precision_score / roc_auc_score docstrings: 0.83..., 0.75
    close(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.8333333333333333, 'ap');
    close(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75, 'auc');
  });

  it('returns NaN where a metric is undefined, and sklearn 0 for MCC', () => {
    expect(averagePrecision([0, 0, 0], [0.1, 0.5, 0.2])).toBeNaN();
    expect(rocAuc([0, 0, 0], [0.1, 0.5, 0.2])).toBeNaN();
    expect(rocAuc([1, 1], [0.1, 0.5])).toBeNaN();
    expect(averagePrecision([1, 1], [0.1, 0.5])).toBe(1);
    expect(bestF1([0, 0, 0], [0.1, 0.5, 0.2])).toBe(0);
    expect(mccAt([0, 0, 0], [0.1, 0.9, 0.2])).toBe(0); // single class
    expect(mccAt([0, 1, 0], [0.1, 0.2, 0.3])).toBe(0); // nothing predicted positive
    expect(averagePrecision([], [])).toBeNaN();
    expect(detectionScores([1, 1, 1], [0.2, 0.3, 0.1]).auc).toBeNaN();
  });

  it('thresholds MCC strictly and at a given threshold', () => {
    expect(mccAt([0, 1], [0.5, 0.6])).toBe(1);
    expect(mccAt([0, 1], [0.5, 0.5])).toBe(0);
    expect(mccAt([0, 1], [0.2, 0.3], 0.25)).toBe(1);
  });

  it('uses numpy.linspace(0, 1, 1000) with pred = score >= t', () => {
    const t = ciouThresholds();
    expect(t.length).toBe(1000);
    expect([t[0], t[999]]).toEqual([0, 1]);
    // a map exactly on the last threshold passes it; just below does not
    expect(cIoU([1, 0], [1, 0])).toBe(1);
    expect(cIoU([1, 0], [t[998], 0], 'single')).toBe(1);
    expect(cIoU([1, 0, 0], [0.9, 0.9, 0.1], 'single')).toBeCloseTo((0.5 + 0.5) / 2, 15);
  });

  it('rejects NaN scores and mismatched lengths', () => {
    expect(() => averagePrecision([0, 1], [0.1, NaN])).toThrow(/NaN/);
    expect(() => scoreLocalization([0, 1], [0.1])).toThrow(/labels/);
  });

  it('averages each field over the images that have it', () => {
    const row = (v: number): PixelScores => ({ pmap: v, ciou: v, ciouSingle: v, f1: v, mcc: v, auc: v });
    const m = meanScores([row(0.2), { ...row(0.6), auc: NaN }, row(0.4)]);
    expect(m.images).toBe(3);
    expect(m.pmap).toBeCloseTo(0.4, 15);
    expect(m.auc).toBeCloseTo(0.3, 15);
    expect(meanScores([{ ...row(1), auc: NaN }]).auc).toBeNaN();
    expect(meanScores([]).images).toBe(0);
  });
});

describe('full-resolution map', () => {
  it('scores a 4000x3000 map', () => {
    const W = 4000;
    const H = 3000;
    const labels = new Uint8Array(W * H);
    const map = new Float32Array(W * H);
    let seed = 12345;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        labels[i] = x >= 1000 && x < 2600 && y >= 700 && y < 2100 ? 1 : 0;
        // authentic pixels in [0, 0.45), spliced in [0.55, 1): separable, with many ties
        map[i] = (labels[i] ? 0.55 : 0) + Math.floor((seed / 2 ** 32) * 450) / 1000;
      }
    }
    const s = scoreLocalization(labels, map);
    expect(s).toEqual({ pmap: 1, ciou: 1, ciouSingle: 1, f1: 1, mcc: 1, auc: 1 });
    // the inverted map ranks it backwards: the same scores through the inversion
    const inv = scoreLocalization(labels, map.map((v) => 1 - v));
    expect(inv.pmap).toBe(1);
    expect(inv.auc).toBe(1);
  }, 120_000);
});
