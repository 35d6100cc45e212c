// Splice-localization and detection metrics, each the official evaluator's definition
// (hellomuffin/exif-as-language eval/image_splice/metrics.py, sklearn semantics).
export { averagePrecision, bestF1, rankingStats, rocAuc, splitSorted } from './ranking.ts';
export type { RankingStats, SplitScores } from './ranking.ts';
export { cIoU, ciouBoth, ciouThresholds, mccAt, mccBoth } from './threshold.ts';
export type { CiouBoth } from './threshold.ts';
export { detectionScores, meanScores, scoreLocalization } from './localization.ts';
export type { PixelScores } from './localization.ts';
