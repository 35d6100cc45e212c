/**
 * The PCA picture of the official evaluation: sklearn PCA(n_components=3, whiten=True) of the
 * raw patch features, voted onto the cell grid, stretched between its 0.5 and 99.5 percentiles
 * to [0, 255]. Whitened scores are u_k * sqrt(n - 1) for the leading eigenvectors u_k of the
 * centred Gram matrix X X^T (n x n, on the GPU); signs follow sklearn's svd_flip (the entry of
 * largest magnitude of each u_k is positive).
 */
import { matmul, type Gpu } from '@exif-lang/kernels';
import { symmetricEigen, topEigenpairs } from './lanczos.ts';

/** Feature sizes up to this take the dense host eigensolver (dim^3 work), larger ones Lanczos on the n x n Gram matrix. */
const DENSE_LIMIT = 192;
import { percentileHost } from './percentile.ts';
import { gramOf, voteOntoCells } from './volume.ts';
import { patchCount, type PatchGrid } from './grid.ts';

/** [n, 3] whitened PCA scores of features [n, dim]. */
export async function pcaScores(gpu: Gpu, features: Float32Array, n: number, dim: number): Promise<Float32Array> {
  const centred = new Float32Array(n * dim);
  for (let k = 0; k < dim; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += features[i * dim + k];
    const mean = s / n;
    for (let i = 0; i < n; i++) centred[i * dim + k] = features[i * dim + k] - mean;
  }
  const xb = gpu.upload(centred, 'pca centred');
  const comps = Math.min(3, n);
  let vectors: Float64Array[];
  if (dim <= DENSE_LIMIT) {
    // Small feature spaces: the dim x dim scatter matrix on the GPU, its eigenvectors v_k on the
    // host (Jacobi), and u_k = X v_k / |X v_k|.
    const xb2 = gpu.upload(centred, 'pca centred copy'); // (one buffer may not fill two bindings)
    const c = matmul(gpu, xb, xb2, { M: dim, N: dim, K: n, transA: true });
    xb2.release();
    const cov = Float64Array.from((await gpu.readF32(c)).subarray(0, dim * dim));
    c.release();
    const { values, vectors: v } = symmetricEigen(cov, dim);
    const order = Array.from(values.keys()).sort((a, b) => values[b] - values[a]).slice(0, comps);
    vectors = order.map((o) => {
      const u = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += centred[i * dim + k] * v[k * dim + o];
        u[i] = s;
      }
      const norm = Math.sqrt(u.reduce((a, x) => a + x * x, 0)) || 1;
      return u.map((x) => x / norm);
    });
  } else {
    const gram = gramOf(gpu, xb, n, dim);
    const vec = gpu.alloc(n * 4, 'pca vector');
    try {
      ({ vectors } = await topEigenpairs(async (x) => {
        gpu.write(vec, x);
        const y = matmul(gpu, gram, vec, { M: n, N: 1, K: n });
        const out = (await gpu.readF32(y)).slice(0, n);
        y.release();
        return out;
      }, n, comps));
    } finally {
      vec.release();
      gram.release();
    }
  }
  xb.release();
  const scores = new Float32Array(n * 3);
  const scale = Math.sqrt(Math.max(1, n - 1));
  vectors.forEach((u, c) => {
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(u[i]) > Math.abs(u[big])) big = i;
    const sign = u[big] < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) scores[i * 3 + c] = sign * u[i] * scale;
  });
  return scores;
}

/** The stretched PCA map on the cell grid: [cellRows * cellCols * 3] in [0, 255]. */
export async function pcaCells(gpu: Gpu, features: Float32Array, dim: number, g: PatchGrid): Promise<Float32Array> {
  const n = patchCount(g);
  const scores = await pcaScores(gpu, features, n, dim);
  const sb = gpu.upload(scores, 'pca scores');
  const cellsBuf = voteOntoCells(gpu, sb, g, 3);
  sb.release();
  const cells = (await gpu.readF32(cellsBuf)).slice(0, g.cellRows * g.cellCols * 3);
  cellsBuf.release();
  const lo = percentileHost(cells, 0.5);
  const hi = percentileHost(cells, 99.5);
  const span = hi - lo || 1;
  for (let i = 0; i < cells.length; i++) cells[i] = Math.min(255, Math.max(0, ((cells[i] - lo) / span) * 255));
  return cells;
}
