// Per-image localization scores as the official evaluator computes them (each metric of the
// map and of the inverted map `1 - map`, the better one kept), their mean over a dataset, and
// image-level detection scores.

import { rankingStats, splitSorted } from './ranking.ts';
import { ciouBoth, mccBoth } from './threshold.ts';

export interface PixelScores {
  /** Average precision of the map (p-mAP once averaged over spliced images). */
  pmap: number;
  /** Official cIoU (best threshold per class). */
  ciou: number;
  /** cIoU with one threshold for both classes. */
  ciouSingle: number;
  /** Best F1 over the precision-recall curve. */
  f1: number;
  /** MCC of map > 0.5. */
  mcc: number;
  /** ROC AUC. */
  auc: number;
}

/** Python's built-in max(a, b): keeps `a` unless `b > a`, so a NaN `a` stays NaN and a NaN
 * `b` is ignored, as in the official `max(score, inverted_score)`. */
function pyMax(a: number, b: number): number {
  return b > a ? b : a;
}

/** Every localization metric of one image: labels are the flattened ground-truth mask
 * (> 0 = spliced), map the score map (any range; higher = spliced, or lower: the inverted
 * map is scored too). One sort and two linear passes, whatever the map's size. */
export function scoreLocalization(labels: ArrayLike<number>, map: ArrayLike<number>): PixelScores {
  const split = splitSorted(labels, map);
  const r = rankingStats(split, false);
  const rInv = rankingStats(split, true);
  const m = mccBoth(labels, map, 0.5);
  const c = ciouBoth(labels, map);
  return {
    pmap: pyMax(r.ap, rInv.ap),
    ciou: pyMax(c.map.official, c.inverted.official),
    ciouSingle: pyMax(c.map.single, c.inverted.single),
    f1: pyMax(r.f1, rInv.f1),
    mcc: pyMax(m.map, m.inverted),
    auc: pyMax(r.auc, rInv.auc),
  };
}

/** Image-level detection: AP and ROC AUC of per-image scores (higher = spliced) against
 * labels (1 = spliced). No inversion: a detector that ranks backwards is wrong. */
export function detectionScores(labels: ArrayLike<number>, scores: ArrayLike<number>): { ap: number; auc: number } {
  const { ap, auc } = rankingStats(splitSorted(labels, scores));
  return { ap, auc };
}

const FIELDS = ['pmap', 'ciou', 'ciouSingle', 'f1', 'mcc', 'auc'] as const;

/** Mean of each field over images, skipping NaN per field (NaN where a field has no value);
 * `images` is the number of rows. */
export function meanScores(rows: readonly PixelScores[]): PixelScores & { images: number } {
  const out = { pmap: NaN, ciou: NaN, ciouSingle: NaN, f1: NaN, mcc: NaN, auc: NaN, images: rows.length };
  for (const f of FIELDS) {
    let sum = 0;
    let count = 0;
    for (const row of rows) {
      if (!Number.isNaN(row[f])) {
        sum += row[f];
        count++;
      }
    }
    if (count > 0) out[f] = sum / count;
  }
  return out;
}
