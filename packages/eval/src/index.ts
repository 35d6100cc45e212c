// Evaluation: patch-grid embedding, zero-shot splice localization (the official procedure on
// the GPU), its metrics, the benchmark datasets' loaders and the baselines.
export * from './localize/grid.ts';
export type * from './localize/types.ts';
export * from './metrics/index.ts';
export * from './datasets/index.ts';
export * from './baselines/index.ts';
