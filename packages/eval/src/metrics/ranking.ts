// Ranking metrics (sklearn's average_precision_score, roc_auc_score and the best F1 over
// precision_recall_curve), computed from one sort of a full-resolution map.
//
// Instead of sorting an index array with a JS comparator (far too slow for 12M pixels), the
// scores are split by label into two typed arrays, each sorted natively; a merge-walk over the
// two then visits the distinct thresholds in descending order and sees, for each, how many
// positives and negatives share it: exactly sklearn's step curve with ties grouped. The same
// sorted arrays walked the other way give the curve of the inverted map `1 - s`.

/** Scores split by label (label > 0 = positive), each sorted ascending. */
export interface SplitScores {
  readonly pos: Float32Array | Float64Array;
  readonly neg: Float32Array | Float64Array;
}

/** Ranking metrics of one score map against its labels. */
export interface RankingStats {
  /** Average precision (step-wise); NaN without positives. */
  ap: number;
  /** Area under the ROC curve; NaN with a single class. */
  auc: number;
  /** Best F1 over the precision-recall curve (0 when no threshold has a true positive). */
  f1: number;
}

/** Splits `scores` by label and sorts both parts. A Float32Array input stays float32 (exact and
 * half the memory); anything else is sorted as float64. Throws on NaN scores (sklearn rejects
 * them too) and on a length mismatch. */
export function splitSorted(labels: ArrayLike<number>, scores: ArrayLike<number>): SplitScores {
  const n = checkLengths(labels, scores);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (labels[i] > 0) nPos++;
  const Ctor = scores instanceof Float32Array ? Float32Array : Float64Array;
  const pos = new Ctor(nPos);
  const neg = new Ctor(n - nPos);
  let p = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (Number.isNaN(s)) throw new Error(`metrics: score ${i} is NaN`);
    if (labels[i] > 0) pos[p++] = s;
    else neg[q++] = s;
  }
  // Native typed-array sort: numeric, ascending (-0 before +0, which compare equal below).
  pos.sort();
  neg.sort();
  return { pos, neg };
}

/** AP, AUC and best F1 of the map (`invert` false) or of `1 - map` (`invert` true). */
export function rankingStats(split: SplitScores, invert = false): RankingStats {
  const { pos, neg } = split;
  const P = pos.length;
  const N = neg.length;
  if (P + N === 0) return { ap: NaN, auc: NaN, f1: NaN };
  // Descending order of the key: the map's values from the top of the sorted arrays, or
  // `1 - s` from the bottom. Grouping compares the key itself, so values that `1 - s` rounds
  // to the same double form one threshold, as they do when numpy inverts the map.
  const step = invert ? 1 : -1;
  let i = invert ? 0 : P - 1;
  let j = invert ? 0 : N - 1;
  const iEnd = invert ? P : -1;
  const jEnd = invert ? N : -1;
  let tp = 0;
  let fp = 0;
  let apSum = 0; // sum over thresholds of (new true positives) * precision
  let auc2 = 0; // twice the ROC area in count units (integers: exact below 2^53)
  let f1 = 0;
  while (i !== iEnd || j !== jEnd) {
    let v: number;
    if (i === iEnd) v = invert ? 1 - neg[j] : neg[j];
    else if (j === jEnd) v = invert ? 1 - pos[i] : pos[i];
    else {
      const a = invert ? 1 - pos[i] : pos[i];
      const b = invert ? 1 - neg[j] : neg[j];
      v = a > b ? a : b;
    }
    let dtp = 0;
    while (i !== iEnd && (invert ? 1 - pos[i] : pos[i]) === v) {
      i += step;
      dtp++;
    }
    let dfp = 0;
    while (j !== jEnd && (invert ? 1 - neg[j] : neg[j]) === v) {
      j += step;
      dfp++;
    }
    const tpPrev = tp;
    tp += dtp;
    fp += dfp;
    apSum += dtp * (tp / (tp + fp));
    auc2 += dfp * (tp + tpPrev);
    // F1 = 2PR / (P + R) = 2 tp / (tp + fp + P); tp = 0 gives 0 like sklearn's nan -> 0.
    const f = (2 * tp) / (tp + fp + P);
    if (f > f1) f1 = f;
  }
  return {
    ap: P === 0 ? NaN : apSum / P,
    auc: P === 0 || N === 0 ? NaN : auc2 / (2 * P * N),
    f1,
  };
}

/** sklearn average_precision_score: sum over distinct thresholds (descending) of
 * (R_k - R_{k-1}) P_k. NaN when there is no positive (sklearn returns 0 with a warning). */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  return rankingStats(splitSorted(labels, scores)).ap;
}

/** sklearn roc_auc_score (trapezoids over the ROC curve, ties as one step); NaN when only one
 * class is present (sklearn raises). */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  return rankingStats(splitSorted(labels, scores)).auc;
}

/** The best F1 over sklearn's precision_recall_curve (nan -> 0). */
export function bestF1(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  return rankingStats(splitSorted(labels, scores)).f1;
}

export function checkLengths(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (labels.length !== scores.length) {
    throw new Error(`metrics: ${labels.length} labels but ${scores.length} scores`);
  }
  return labels.length;
}
