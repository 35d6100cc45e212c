import type { RgbImage } from '@exif-lang/data';
import type { PatchGrid } from './grid.ts';

/**
 * Per-patch features on a grid: our image tower, a random-weight copy, or a hand-crafted
 * forensic descriptor. The localization treats them all alike (same grid, same post-processing).
 */
export interface FeatureExtractor {
  /** label in tables and reports ("ours", "random-init", "noise-residual", ...) */
  readonly name: string;
  /** patch side the grid uses */
  readonly patchSize: number;
  /** [rows * cols, dim] row-major, patches in raster order */
  features(image: RgbImage, grid: PatchGrid): Promise<{ data: Float32Array; dim: number }>;
  dispose?(): void;
}

/** Phases timed by localize(), in milliseconds. */
export type PhaseTimes = Partial<Record<'decode' | 'embed' | 'volume' | 'meanshift' | 'ncuts' | 'pca' | 'upsample' | 'cluster', number>>;

export interface Localization {
  grid: PatchGrid;
  /** detection score: the mean of the consistency volume (higher = more likely spliced) */
  score: number;
  /** the mean-shift consistency map at full resolution (width * height), not rescaled (as the official code scores it) */
  heatmap: Float32Array;
  /** the binary localization at full resolution (width * height), 1 = the smaller cluster (taken as spliced) */
  mask: Uint8Array;
  /** PCA-3 picture at full resolution, RGB bytes (width * height * 3) */
  pca: Uint8Array;
  /** the same maps on the voting grid (cellRows * cellCols) before upsampling */
  cells: { heatmap: Float32Array; mask: Uint8Array; pca: Float32Array };
  timings: PhaseTimes;
}
