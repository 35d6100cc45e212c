/**
 * The official patch grid (exif-as-language's PatchedImage with EXIF-SC's num_per_dim = 30):
 * stride = (max(H, W) - P) // 30 (at least 1), rows = 1 + floor((H - P) / stride), likewise
 * columns; patch (r, c) covers pixels [r * stride, r * stride + P) x [c * stride, c * stride + P).
 *
 * The consistency volume and the maps live on the finer voting grid: every patch votes into
 * `spread = max(1, P // stride)` cells along each axis starting at its own index, so the maps
 * have (rows + spread - 1) x (cols + spread - 1) cells (the official `_predict_consistency_maps`).
 */
export interface PatchGrid {
  /** image size in pixels */
  width: number;
  height: number;
  /** patch side P */
  patch: number;
  stride: number;
  /** patches along the height and the width */
  rows: number;
  cols: number;
  /** voting cells each patch covers along an axis */
  spread: number;
  /** cells of the voting grid: rows + spread - 1, cols + spread - 1 */
  cellRows: number;
  cellCols: number;
}

/** Patches along the longer side in the official evaluation (EXIF-SC's default, what runs). */
export const PATCHES_PER_SIDE = 30;

export class ImageTooSmallError extends Error {}

/** The grid of a width x height image; `name` labels the error of an image smaller than a patch. */
export function patchGrid(width: number, height: number, patch: number, opts: { perSide?: number; name?: string } = {}): PatchGrid {
  const perSide = opts.perSide ?? PATCHES_PER_SIDE;
  if (!Number.isInteger(patch) || patch < 1) throw new Error(`patch size must be a positive integer, got ${patch}`);
  if (width < patch || height < patch) {
    throw new ImageTooSmallError(`${opts.name ?? 'image'}: ${width}x${height} is smaller than one ${patch} px patch`);
  }
  const stride = Math.max(1, Math.floor((Math.max(width, height) - patch) / perSide));
  const rows = 1 + Math.floor((height - patch) / stride);
  const cols = 1 + Math.floor((width - patch) / stride);
  const spread = Math.max(1, Math.floor(patch / stride));
  return { width, height, patch, stride, rows, cols, spread, cellRows: rows + spread - 1, cellCols: cols + spread - 1 };
}

/** Top-left pixel of patch i in raster order (row-major over rows x cols). */
export function patchOrigin(g: PatchGrid, i: number): { x: number; y: number } {
  const r = Math.floor(i / g.cols);
  return { x: (i - r * g.cols) * g.stride, y: r * g.stride };
}

export function patchCount(g: PatchGrid): number {
  return g.rows * g.cols;
}

export function cellCount(g: PatchGrid): number {
  return g.cellRows * g.cellCols;
}
