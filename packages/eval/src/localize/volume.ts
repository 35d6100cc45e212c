/**
 * The official 4-D consistency volume: all-pairs (1 - cosine) of the patch embeddings, each
 * pair voting into the spread x spread windows of both patches on the cell grid, divided by the
 * vote counts (+ 1e-4). The voting is separable, so it runs as four 1-D box passes over the
 * [rows, cols, rows, cols] dissimilarities, one per axis.
 */
import { boxVote, boxVoteNormalize, fill, matmul, type Gpu, type GpuBuffer } from '@exif-lang/kernels';
import { cellCount, patchCount, type PatchGrid } from './grid.ts';

/** Row-wise L2 normalisation of [n, dim] features on the host (float64 sums). */
export function l2NormalizeRows(x: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += x[i * dim + k] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let k = 0; k < dim; k++) out[i * dim + k] = x[i * dim + k] * inv;
  }
  return out;
}

/**
 * alpha X X^T (+ bias on every row) of X [n, dim]. The runtime refuses one buffer in two
 * bindings, so the right operand is a copy.
 */
export function gramOf(gpu: Gpu, x: GpuBuffer, n: number, dim: number, opts: { alpha?: number; bias?: GpuBuffer } = {}): GpuBuffer {
  const copy = gpu.alloc(n * dim * 4, 'gram operand');
  gpu.copy(x, copy, n * dim * 4);
  const out = matmul(gpu, x, copy, { M: n, N: n, K: dim, transB: true, ...opts });
  copy.release();
  return out;
}

/** 1 - F F^T ([n, n]) of L2-normalised features F ([n, dim]) on the GPU, in one matmul (alpha -1, bias 1). */
export function cosineDissimilarity(gpu: Gpu, normalized: GpuBuffer, n: number, dim: number): GpuBuffer {
  const ones = fill(gpu, n, 1);
  const out = gramOf(gpu, normalized, n, dim, { alpha: -1, bias: ones });
  ones.release();
  return out;
}

/** The volume [cells, cells] (cells = cellRows * cellCols, raster order) from the [n, n] dissimilarities. */
export function consistencyVolume(gpu: Gpu, dissim: GpuBuffer, g: PatchGrid): GpuBuffer {
  const { rows: R, cols: C, cellRows: Rc, cellCols: Cc, spread: s } = g;
  if (dissim.length < patchCount(g) ** 2) throw new Error(`consistencyVolume: ${dissim.length} dissimilarities for ${patchCount(g)} patches`);
  const a0 = boxVote(gpu, dissim, 1, R, C * R * C, s);
  const a1 = boxVote(gpu, a0, Rc, C, R * C, s);
  a0.release();
  const a2 = boxVote(gpu, a1, Rc * Cc, R, C, s);
  a1.release();
  const a3 = boxVote(gpu, a2, Rc * Cc * Rc, C, 1, s);
  a2.release();
  const v = boxVoteNormalize(gpu, a3, [R, C, R, C], s);
  a3.release();
  if (v.length < cellCount(g) ** 2) throw new Error('consistencyVolume: internal size mismatch');
  return v;
}

/** Per-patch values ([rows, cols, ch]) voted onto the cell grid ([cellRows, cellCols, ch]) like the official PCA map. */
export function voteOntoCells(gpu: Gpu, values: GpuBuffer, g: PatchGrid, ch: number): GpuBuffer {
  const a0 = boxVote(gpu, values, 1, g.rows, g.cols * ch, g.spread);
  const a1 = boxVote(gpu, a0, g.cellRows, g.cols, ch, g.spread);
  a0.release();
  const out = boxVoteNormalize(gpu, a1, [g.rows, g.cols], g.spread, ch);
  a1.release();
  return out;
}
