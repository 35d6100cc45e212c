/**
 * Per-patch sums of binned per-pixel quantities without re-scanning overlapping patches.
 *
 * A quantity is anchored at a pixel and reads `extentX x extentY` pixels from there, so patch
 * (x0, y0) of side P owns the anchors [x0, x0 + P - extentX] x [y0, y0 + P - extentY]. The patch
 * starts and (exclusive) anchor ends cut each axis into at most 2 * cols + 1 segments; every
 * anchor is added once into its (segment row, segment column, bin) cell, a 2-D prefix sum over
 * that coarse grid follows, and each patch's histogram is 4 corner lookups per bin. The work is
 * one pass over the pixels plus O(segments^2 * bins), whatever the overlap of the patches.
 */
import type { PatchGrid } from '../localize/grid.ts';
import { patchCount } from '../localize/grid.ts';

interface Axis {
  /** pixel -> segment index, -1 outside every patch */
  seg: Int32Array;
  segments: number;
  /** per patch index along the axis: boundary indices of its first anchor and its end */
  start: Int32Array;
  end: Int32Array;
}

function axis(size: number, count: number, stride: number, span: number): Axis {
  const cuts = new Set<number>();
  for (let i = 0; i < count; i++) {
    cuts.add(i * stride);
    cuts.add(i * stride + span);
  }
  const bounds = [...cuts].sort((a, b) => a - b);
  const where = new Map<number, number>();
  bounds.forEach((b, k) => where.set(b, k));
  const seg = new Int32Array(size).fill(-1);
  for (let k = 0; k + 1 < bounds.length; k++) for (let p = bounds[k]; p < bounds[k + 1]; p++) seg[p] = k;
  const start = new Int32Array(count);
  const end = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    start[i] = where.get(i * stride)!;
    end[i] = where.get(i * stride + span)!;
  }
  return { seg, segments: bounds.length - 1, start, end };
}

/**
 * Adds, for every patch of `grid`, the per-bin sums of `weights` (or counts when null) of the
 * anchors it owns into `out[p * outStride + outOffset + bin]`. `bins` is width * height
 * (row-major, -1 = no anchor there), bins in [0, nbins).
 */
export function addPatchBinSums(
  grid: PatchGrid,
  bins: Int32Array,
  weights: Int32Array | null,
  nbins: number,
  extentX: number,
  extentY: number,
  out: Float64Array,
  outStride: number,
  outOffset: number,
): void {
  const { width, height, patch, stride, rows, cols } = grid;
  const ax = axis(width, cols, stride, patch - extentX + 1);
  const ay = axis(height, rows, stride, patch - extentY + 1);
  const sx = ax.segments;
  const sy = ay.segments;
  // cells with one guard row and column of zeros in front: the prefix sums need no branches
  const cw = sx + 1;
  const acc = new Float64Array((sy + 1) * cw * nbins);
  for (let y = 0; y < height; y++) {
    const s = ay.seg[y];
    if (s < 0) continue;
    const rowBase = (s + 1) * cw;
    const pix = y * width;
    for (let x = 0; x < width; x++) {
      const c = ax.seg[x];
      if (c < 0) continue;
      const b = bins[pix + x];
      if (b < 0) continue;
      acc[(rowBase + c + 1) * nbins + b] += weights === null ? 1 : weights[pix + x];
    }
  }
  // inclusive 2-D prefix sums: acc[i][j] = sum of cells (< i, < j) of the segment grid
  for (let i = 1; i <= sy; i++) {
    for (let j = 1; j <= sx; j++) {
      const o = (i * cw + j) * nbins;
      const up = ((i - 1) * cw + j) * nbins;
      const left = (i * cw + j - 1) * nbins;
      const diag = ((i - 1) * cw + j - 1) * nbins;
      for (let b = 0; b < nbins; b++) acc[o + b] += acc[up + b] + acc[left + b] - acc[diag + b];
    }
  }
  const n = patchCount(grid);
  for (let p = 0; p < n; p++) {
    const r = Math.floor(p / cols);
    const c = p - r * cols;
    const y0 = ay.start[r] * cw;
    const y1 = ay.end[r] * cw;
    const x0 = ax.start[c];
    const x1 = ax.end[c];
    const a11 = (y1 + x1) * nbins;
    const a01 = (y0 + x1) * nbins;
    const a10 = (y1 + x0) * nbins;
    const a00 = (y0 + x0) * nbins;
    const o = p * outStride + outOffset;
    for (let b = 0; b < nbins; b++) out[o + b] += acc[a11 + b] - acc[a01 + b] - acc[a10 + b] + acc[a00 + b];
  }
}
