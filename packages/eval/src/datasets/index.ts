// Splice-evaluation datasets: listings of the paper's benchmarks (Columbia, DSO-1, Realistic
// Tampering, In-the-Wild, Hays), CASIA 1/2, a generic folder and the splice generator's output,
// and their ground-truth masks at the image's size (1 = spliced).
export { DATASET_NAMES, isDatasetName } from './types.ts';
export type { DatasetName, SpliceSample, DatasetProblem, DatasetListing, ListOptions } from './types.ts';
export { listDataset } from './list.ts';
export { loadMask, readMaskPixels, binarizeMask, resizeMaskNearest, maskRule, COLUMBIA_GREEN_TOLERANCE } from './mask.ts';
export type { LoadMaskOptions, MaskRule, MaskPixels } from './mask.ts';
export { RT_CAMERAS } from './realistic-tampering.ts';
