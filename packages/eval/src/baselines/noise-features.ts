/**
 * The classical zero-shot forensic baseline: a hand-crafted per-patch descriptor on the same
 * patch grid as the learned model, so the localization treats it like any embedding.
 *
 * Per patch (raw, before the per-image standardisation):
 * 1. co-occurrences (Splicebuster, Cozzolino et al. 2015): the luminance's 3rd-order residual
 *    [1, -3, 3, -1] along rows and along columns, quantised with step q and truncated to T = 2,
 *    co-occurrences of 4 consecutive residuals along the same direction, pooled under sign flip
 *    and reversal (169 classes each), normalised to frequencies and square-rooted (Hellinger):
 *    2 x 169 dims;
 * 2. JPEG grid: mean blockiness per column phase and per row phase in image coordinates, each
 *    profile divided by its mean (16 dims; see jpeg-grid.ts);
 * 3. noise level: log(1 + median |residual|) per RGB channel (same filter, both directions
 *    pooled; 3 dims).
 * Every anchored quantity is counted in a patch only when all the pixels it reads lie inside
 * the patch. Residuals are computed once per image; the per-patch sums come from a coarse 2-D
 * prefix sum (patch-sums.ts), so overlapping patches cost nothing extra.
 *
 * Features: each dimension z-scored over the patches of the image (the harness compares patches
 * within one image), with its std floored at a fraction of its group's RMS std so near-constant
 * dimensions (rare co-occurrence classes) are not blown up into noise; then each group is scaled
 * by weight / sqrt(its size) so no group dominates the cosine (DEFAULT_GROUP_WEIGHTS).
 */
import type { RgbImage } from '@exif-lang/data';
import type { PatchGrid } from '../localize/grid.ts';
import { patchCount, patchOrigin } from '../localize/grid.ts';
import type { FeatureExtractor } from '../localize/types.ts';
import { COOC_SPAN, TRUNCATION, cooccurrenceBins, symmetryTable } from './cooccurrence.ts';
import { BLOCK_SPAN, blockinessMaps, normalizeBlockiness } from './jpeg-grid.ts';
import { addPatchBinSums } from './patch-sums.ts';
import { LUMA_SCALE, RESIDUAL_SPAN, absResidualBins, channel, luminance, residual3, residualLevels } from './residual.ts';

export const NOISE_RESIDUAL_PATCH = 124;
/** Default quantisation step of the co-occurrence residual, in 0..255 luminance units. */
export const DEFAULT_Q = 2;
/** |residual| histogram bins per channel for the median (values >= this - 1 saturate). */
export const NOISE_HIST_BINS = 128;

export interface NoiseResidualOptions {
  patchSize?: number;
  /** quantisation step q of the co-occurrence residual (0..255 luminance units), default 2 */
  q?: number;
  /** relative weights of the groups (default DEFAULT_GROUP_WEIGHTS) */
  weights?: Partial<Record<FeatureGroupName, number>>;
  /** std floor as a fraction of the group's RMS std (default 0.1; 0 = plain z-score) */
  stdFloor?: number;
  /** label in tables (default 'noise-residual'; ablations name themselves) */
  name?: string;
}

export type FeatureGroupName = 'cooccurrence' | 'jpegGrid' | 'noiseLevel';

/**
 * Relative group weights, from a small study on ~45 cross-camera splices of the sample photos
 * (a donor rectangle pasted at native resolution into a <= 1024 px host crop; AUC of the cosine
 * distance, different-source vs same-source patch pairs, two draws): cooc/grid/noise at
 * 1/1.5/0.25 gave 0.87 and 0.81 (0.79 and 0.72 with the composite re-saved as JPEG 90), equal
 * weights 0.82 and 0.73, co-occurrences alone 0.78 and 0.72, the grid alone 0.87 and 0.81
 * (worse per-patch localization), a random map 0.50. q = 2 beat 1, 3 and 5 slightly.
 */
export const DEFAULT_GROUP_WEIGHTS: Readonly<Record<FeatureGroupName, number>> = { cooccurrence: 1, jpegGrid: 1.5, noiseLevel: 0.25 };

export interface FeatureGroup {
  name: FeatureGroupName;
  offset: number;
  size: number;
}

export interface RawFeatures {
  /** [patches, dim] row-major, float64, before standardisation */
  data: Float64Array;
  dim: number;
  groups: FeatureGroup[];
}

/** The layout of the descriptor: [cooc h | cooc v | column phases | row phases | noise RGB]. */
export function noiseFeatureGroups(t: number = TRUNCATION): FeatureGroup[] {
  const classes = symmetryTable(t).classes;
  return [
    { name: 'cooccurrence', offset: 0, size: 2 * classes },
    { name: 'jpegGrid', offset: 2 * classes, size: 16 },
    { name: 'noiseLevel', offset: 2 * classes + 16, size: 3 },
  ];
}

/** Median of a histogram of integer values with `total` entries (mean of the two middle ones). */
export function histogramMedian(hist: Float64Array, offset: number, nbins: number, total: number): number {
  if (total <= 0) return 0;
  const lo = Math.floor((total - 1) / 2);
  const hi = Math.ceil((total - 1) / 2);
  let cum = 0;
  let vlo = -1;
  for (let b = 0; b < nbins; b++) {
    cum += hist[offset + b];
    if (vlo < 0 && cum > lo) vlo = b;
    if (cum > hi) return (vlo + b) / 2;
  }
  return nbins - 1;
}

/** The raw per-patch descriptor of every patch of `grid` (see the file comment). */
export function noiseResidualRaw(image: RgbImage, grid: PatchGrid, opts: { q?: number } = {}): RawFeatures {
  const { width, height, patch: p } = grid;
  if (image.width !== width || image.height !== height) {
    throw new Error(`grid is for ${width}x${height}, image is ${image.width}x${image.height}`);
  }
  if (p < COOC_SPAN) throw new Error(`patch size ${p} is smaller than a co-occurrence (${COOC_SPAN} px)`);
  const t = TRUNCATION;
  const q = opts.q ?? DEFAULT_Q;
  const qInt = Math.round(q * LUMA_SCALE);
  if (!(qInt >= 1)) throw new Error(`quantisation step must be positive, got ${q}`);
  const groups = noiseFeatureGroups(t);
  const classes = symmetryTable(t).classes;
  const dim = groups[2].offset + groups[2].size;
  const n = patchCount(grid);
  const data = new Float64Array(n * dim);
  const lum = luminance(image);
  const bins = new Int32Array(width * height);

  // 1. co-occurrences and 2. JPEG blockiness, from the luminance residual, rows then columns
  const g = groups[1].offset;
  for (const [k, axis] of (['h', 'v'] as const).entries()) {
    const res = residual3(lum, width, height, axis);
    cooccurrenceBins(residualLevels(res, qInt, t), width, height, axis, t, bins);
    addPatchBinSums(grid, bins, null, classes, axis === 'h' ? COOC_SPAN : 1, axis === 'h' ? 1 : COOC_SPAN, data, dim, k * classes);
    const m = blockinessMaps(res, width, height, axis);
    addPatchBinSums(grid, m.bins, m.weights, 8, axis === 'h' ? BLOCK_SPAN : 1, axis === 'h' ? 1 : BLOCK_SPAN, data, dim, g + 8 * k);
  }
  const coocTotal = (p - COOC_SPAN + 1) * p;
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let j = 0; j < 2 * classes; j++) data[o + j] = Math.sqrt(data[o + j] / coocTotal);
    const { x, y } = patchOrigin(grid, i);
    normalizeBlockiness(data, o + g, x, p - BLOCK_SPAN + 1, p);
    normalizeBlockiness(data, o + g + 8, y, p - BLOCK_SPAN + 1, p);
  }

  // 3. noise level: median |residual| per channel, both directions pooled
  const nb = NOISE_HIST_BINS;
  const hist = new Float64Array(n * 3 * nb);
  for (let c = 0; c < 3; c++) {
    const plane = channel(image, c);
    for (const axis of ['h', 'v'] as const) {
      absResidualBins(residual3(plane, width, height, axis), width, height, axis, nb - 1, c * nb, bins);
      addPatchBinSums(grid, bins, null, 3 * nb, axis === 'h' ? RESIDUAL_SPAN : 1, axis === 'h' ? 1 : RESIDUAL_SPAN, hist, 3 * nb, 0);
    }
  }
  const noiseTotal = 2 * (p - RESIDUAL_SPAN + 1) * p;
  const gn = groups[2].offset;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) data[i * dim + gn + c] = Math.log1p(histogramMedian(hist, (i * 3 + c) * nb, nb, noiseTotal));
  }
  return { data, dim, groups };
}

/**
 * Per-image standardisation and group weighting (in place on a copy, returned as float32):
 * z-score per dimension over the patches, std floored at `stdFloor` x the group's RMS std
 * (dimensions constant over the image become 0), each group scaled by weight / sqrt(size).
 */
export function standardizeFeatures(
  raw: RawFeatures,
  n: number,
  opts: { weights?: Partial<Record<FeatureGroupName, number>>; stdFloor?: number } = {},
): Float32Array {
  const { data, dim, groups } = raw;
  const floorFrac = opts.stdFloor ?? 0.1;
  const out = new Float32Array(n * dim);
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += data[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      const d = data[i * dim + j] - mean[j];
      std[j] += d * d;
    }
  }
  for (let j = 0; j < dim; j++) std[j] = Math.sqrt(std[j] / n);
  const scale = new Float64Array(dim);
  for (const grp of groups) {
    let ms = 0;
    for (let j = grp.offset; j < grp.offset + grp.size; j++) ms += std[j] * std[j];
    const rms = Math.sqrt(ms / grp.size);
    const floor = Math.max(floorFrac * rms, 1e-12 * (1 + Math.abs(mean[grp.offset])));
    const w = (opts.weights?.[grp.name] ?? DEFAULT_GROUP_WEIGHTS[grp.name]) / Math.sqrt(grp.size);
    for (let j = grp.offset; j < grp.offset + grp.size; j++) {
      // a dimension (or group) that does not vary over the image carries nothing
      scale[j] = std[j] <= 1e-12 ? 0 : w / Math.max(std[j], floor);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) out[i * dim + j] = (data[i * dim + j] - mean[j]) * scale[j];
  }
  return out;
}

/** The hand-crafted noise-residual + JPEG-grid descriptor as a FeatureExtractor ('noise-residual'). */
export function noiseResidualExtractor(opts: NoiseResidualOptions = {}): FeatureExtractor {
  const patchSize = opts.patchSize ?? NOISE_RESIDUAL_PATCH;
  if (!Number.isInteger(patchSize) || patchSize < COOC_SPAN) {
    throw new Error(`noise-residual: patch size must be an integer >= ${COOC_SPAN}, got ${patchSize}`);
  }
  const name = opts.name ?? 'noise-residual';
  return {
    name,
    patchSize,
    async features(image: RgbImage, grid: PatchGrid) {
      if (grid.patch !== patchSize) throw new Error(`${name}: grid patch ${grid.patch} != extractor patch ${patchSize}`);
      const raw = noiseResidualRaw(image, grid, { q: opts.q });
      const data = standardizeFeatures(raw, patchCount(grid), { weights: opts.weights, stdFloor: opts.stdFloor });
      return { data, dim: raw.dim };
    },
  };
}
