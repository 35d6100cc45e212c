// Evaluation: patch-grid embedding, zero-shot splice localization (the official procedure on
// the GPU), its metrics, the benchmark datasets' loaders and the baselines.
export * from './localize/grid.ts';
export type * from './localize/types.ts';
export { localize, localizeFeatures, LOCALIZE_METHODS, type LocalizeMethod, type LocalizeOptions } from './localize/localize.ts';
export { modelExtractor, embedBatchSize } from './localize/model-features.ts';
export { openExtractor, randomInitExtractor, recordedPatchSize, PAPER_PATCH_SIZE, type OpenedExtractor, type OpenExtractorOptions } from './localize/checkpoint.ts';
export { meanShiftMode, spectralBipartition, twoMeans1d, type MeanShiftOptions, type MeanShiftResult } from './localize/clustering.ts';
export { consistencyVolume, cosineDissimilarity, l2NormalizeRows, voteOntoCells } from './localize/volume.ts';
export { pcaScores, pcaCells } from './localize/pca.ts';
export { resizeBilinear } from './localize/upsample.ts';
export { kthSmallest, percentile, percentileHost } from './localize/percentile.ts';
export { topEigenpairs, symmetricEigen, type Eigenpairs, type MatVec } from './localize/lanczos.ts';
export * from './metrics/index.ts';
export * from './datasets/index.ts';
export * from './baselines/index.ts';
export * from './render/index.ts';
export { evaluateSplices, formatSpliceTable, type EvaluateOptions, type ImageResult, type MethodResult, type MethodSummary, type SpliceSummary } from './splice/evaluate.ts';
export { writeThumbnails, type Thumbnails } from './splice/thumbnails.ts';
