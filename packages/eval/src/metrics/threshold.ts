// Thresholded metrics: sklearn's matthews_corrcoef of a binarized map and the official cIoU
// over numpy.linspace(0, 1, 1000). Each makes one pass over the map and counts the map and its
// inversion `1 - s` together, so the inverted map is never allocated.

import { checkLengths } from './ranking.ts';

/** Confusion counts of pred = score > threshold, for the map and for `1 - map`. */
function confusion(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number) {
  const n = checkLengths(labels, scores);
  let P = 0;
  let tp = 0;
  let fp = 0;
  let tpInv = 0;
  let fpInv = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    // `1 - s > t` is not `s < 1 - t` in floating point; compare what numpy compares.
    const hit = s > threshold ? 1 : 0;
    const hitInv = 1 - s > threshold ? 1 : 0;
    if (labels[i] > 0) {
      P++;
      tp += hit;
      tpInv += hitInv;
    } else {
      fp += hit;
      fpInv += hitInv;
    }
  }
  return { P, N: n - P, tp, fp, tpInv, fpInv };
}

/** Binary MCC like sklearn: 0 when any marginal is empty (the correlation is undefined). */
function mcc(P: number, N: number, tp: number, fp: number): number {
  const fn = P - tp;
  const tn = N - fp;
  const den = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
  if (den === 0) return 0;
  return (tp * tn - fp * fn) / Math.sqrt(den);
}

/** MCC of the map and of `1 - map`, both binarized with `> threshold`. */
export function mccBoth(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5) {
  const c = confusion(labels, scores, threshold);
  return { map: mcc(c.P, c.N, c.tp, c.fp), inverted: mcc(c.P, c.N, c.tpInv, c.fpInv) };
}

/** sklearn matthews_corrcoef(labels, scores > threshold); 0 when undefined (as sklearn). */
export function mccAt(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): number {
  return mccBoth(labels, scores, threshold).map;
}

// numpy.linspace(0, 1, 1000) exactly: numpy computes j * (1 / 999) in float64 and then sets
// the last element to the stop value.
const NT = 1000;
const THRESHOLDS = new Float64Array(NT);
for (let j = 0; j < NT; j++) THRESHOLDS[j] = j * (1 / (NT - 1));
THRESHOLDS[NT - 1] = 1;

/** The thresholds of the official cIoU (numpy.linspace(0, 1, 1000)). */
export function ciouThresholds(): Float64Array {
  return THRESHOLDS.slice();
}

/** How many thresholds are <= s, i.e. the number of thresholds at which `s >= t` predicts
 * the pixel positive (0..1000). NaN passes none, as in numpy. */
function passed(s: number): number {
  if (!(s >= 0)) return 0;
  if (s >= 1) return NT;
  // floor(s * 999) can be one off after rounding: settle it against the exact table.
  let j = Math.floor(s * (NT - 1));
  while (j < NT - 1 && THRESHOLDS[j + 1] <= s) j++;
  while (THRESHOLDS[j] > s) j--; // stops at j = 0 (THRESHOLDS[0] = 0 <= s)
  return j + 1;
}

/** Both cIoU variants from per-bin counts (bin k = pixels passing exactly k thresholds). */
function ciouFromBins(posBins: Float64Array, negBins: Float64Array) {
  let P = 0;
  let N = 0;
  for (let k = 0; k <= NT; k++) {
    P += posBins[k];
    N += negBins[k];
  }
  // Threshold j predicts positive the pixels with k > j: walk j downwards accumulating bins.
  // Divisions are of integer counts, as numpy's sum / sum; 0 / 0 = NaN propagates through
  // Math.max like the NaN that np.argmax would select.
  let tp = 0;
  let fp = 0;
  let bestPos = -Infinity;
  let bestNeg = -Infinity;
  let bestMean = -Infinity;
  for (let j = NT - 1; j >= 0; j--) {
    tp += posBins[j + 1];
    fp += negBins[j + 1];
    const iouPos = tp / (P + fp); // |pred & gt| / |pred | gt|
    const iouNeg = (N - fp) / (N + (P - tp)); // same for the complements
    bestPos = Math.max(bestPos, iouPos);
    bestNeg = Math.max(bestNeg, iouNeg);
    bestMean = Math.max(bestMean, (iouPos + iouNeg) / 2);
  }
  return { official: (bestPos + bestNeg) / 2, single: bestMean };
}

export interface CiouBoth {
  /** Official: best threshold per class, the two IoUs averaged. */
  official: number;
  /** One threshold for both classes: max over t of the mean IoU. */
  single: number;
}

/** cIoU of the map and of `1 - map` (values are not rescaled: pred = s >= t as numpy). */
export function ciouBoth(labels: ArrayLike<number>, scores: ArrayLike<number>) {
  const n = checkLengths(labels, scores);
  const pos = new Float64Array(NT + 1);
  const neg = new Float64Array(NT + 1);
  const posInv = new Float64Array(NT + 1);
  const negInv = new Float64Array(NT + 1);
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (labels[i] > 0) {
      pos[passed(s)]++;
      posInv[passed(1 - s)]++;
    } else {
      neg[passed(s)]++;
      negInv[passed(1 - s)]++;
    }
  }
  return { map: ciouFromBins(pos, neg) as CiouBoth, inverted: ciouFromBins(posInv, negInv) as CiouBoth };
}

/** Class-balanced IoU over numpy.linspace(0, 1, 1000) thresholds with pred = score >= t.
 * 'official' (default): the best threshold for the spliced class and, separately, for the
 * authentic class, the two IoUs averaged (optimistic, as the released evaluator).
 * 'single': max over thresholds of (IoU_pos + IoU_neg) / 2.
 * NaN where numpy divides 0 by 0 (a single-class mask and a threshold with an empty union). */
export function cIoU(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  mode: 'official' | 'single' = 'official',
): number {
  return ciouBoth(labels, scores).map[mode];
}
