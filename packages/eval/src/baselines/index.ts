// Baselines on the localization harness: the hand-crafted noise-residual + JPEG-grid descriptor
// and the random map.
export {
  noiseResidualExtractor,
  noiseResidualRaw,
  standardizeFeatures,
  noiseFeatureGroups,
  histogramMedian,
  NOISE_RESIDUAL_PATCH,
  DEFAULT_Q,
  DEFAULT_GROUP_WEIGHTS,
  NOISE_HIST_BINS,
} from './noise-features.ts';
export type { NoiseResidualOptions, FeatureGroup, FeatureGroupName, RawFeatures } from './noise-features.ts';
export { randomFeatureExtractor, RANDOM_FEATURE_DIM } from './random-features.ts';
export { symmetryTable, encodeTuple, TRUNCATION, COOC_SPAN } from './cooccurrence.ts';
export type { SymmetryTable } from './cooccurrence.ts';
export { phaseCount, BLOCK_SPAN, BLOCK_PHASE_OFFSET } from './jpeg-grid.ts';
export { LUMA_SCALE } from './residual.ts';
