/**
 * JPEG 8x8 grid features. Blockiness across a column boundary B | C (four pixels A B | C D in a
 * row) is the step across it less the mean step on either side, a second difference across the
 * boundary: 2 |(C - B) - ((B - A) + (D - C)) / 2| = |A - 3B + 3C - D|. It vanishes on linear
 * ramps and is large where a quantised block edge falls between B and C (it is the
 * co-occurrences' [1, -3, 3, -1] residual, computed once). Its phase is the column of C modulo 8
 * in image coordinates, so an image on the usual grid peaks at phase 0 and a region pasted off
 * the grid, or with a different quantisation, shows another profile. Rows likewise.
 */
import { RESIDUAL_SPAN, residualExtent } from './residual.ts';

/** Pixels one blockiness term reads along its axis. */
export const BLOCK_SPAN = RESIDUAL_SPAN;
/** Offset of the boundary column C from the anchor A. */
export const BLOCK_PHASE_OFFSET = 2;

export interface BlockinessMaps {
  /** phase (0..7) of the anchor's boundary; -1 where the 4 pixels do not fit */
  bins: Int32Array;
  /** |A - 3B + 3C - D| in the plane's units */
  weights: Int32Array;
}

/**
 * Blockiness terms from the plane's 3rd-order residual along x (`'h'`, column phases) or y
 * (`'v'`, row phases): the term anchored at A is |residual(A)|.
 */
export function blockinessMaps(res: Int32Array, width: number, height: number, axis: 'h' | 'v'): BlockinessMaps {
  const bins = new Int32Array(width * height).fill(-1);
  const weights = new Int32Array(width * height);
  const { xEnd, yEnd } = residualExtent(width, height, axis);
  for (let y = 0; y < yEnd; y++) {
    const row = y * width;
    const yPhase = (y + BLOCK_PHASE_OFFSET) & 7;
    for (let x = 0; x < xEnd; x++) {
      const r = res[row + x];
      weights[row + x] = r < 0 ? -r : r;
      bins[row + x] = axis === 'h' ? (x + BLOCK_PHASE_OFFSET) & 7 : yPhase;
    }
  }
  return { bins, weights };
}

/** Number of anchors a in [a0, a0 + n) whose boundary phase (a + 2) mod 8 is k. */
export function phaseCount(a0: number, n: number, k: number): number {
  // first a >= a0 with (a + 2) % 8 === k
  const first = a0 + ((k - ((a0 + BLOCK_PHASE_OFFSET) & 7) + 8) & 7);
  return first >= a0 + n ? 0 : 1 + Math.floor((a0 + n - 1 - first) / 8);
}

/**
 * Mean blockiness per phase from per-phase sums over anchors [a0, a0 + n) (times `lines`
 * rows or columns), normalised by its mean over the 8 phases (all ones when it is 0). In place.
 */
export function normalizeBlockiness(sums: Float64Array, offset: number, a0: number, n: number, lines: number): void {
  let mean = 0;
  for (let k = 0; k < 8; k++) {
    const c = phaseCount(a0, n, k) * lines;
    sums[offset + k] = c > 0 ? sums[offset + k] / c : 0;
    mean += sums[offset + k] / 8;
  }
  for (let k = 0; k < 8; k++) sums[offset + k] = mean > 0 ? sums[offset + k] / mean : 1;
}
