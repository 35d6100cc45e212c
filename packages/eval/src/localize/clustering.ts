/**
 * The two clustering steps of the official localization, on the GPU:
 *  - meanShiftMode: EXIF-SC's flat-kernel mean shift over m points of dimension d (the rows of
 *    the consistency volume, or embeddings): radius = the 10th percentile of all pairwise
 *    Euclidean distances, `iterations` rounds of the sequential in-place update, and the result
 *    is the mean of the moved points that have the most original points within the radius.
 *  - spectralBipartition: sklearn SpectralClustering(n_clusters=2, affinity='precomputed') on
 *    the affinity 1 - dissimilarity: the two leading eigenvectors of D^-1/2 A D^-1/2 (A with its
 *    diagonal dropped, as scipy's Laplacian does), divided by sqrt(degree), then 2-means.
 */
import {
  concat, cutAffinity, diagonal, fill, gramDistances, matmul, meanShiftNeighbours, meanShiftSweep, reduceAxis, type Gpu, type GpuBuffer,
} from '@exif-lang/kernels';
import { percentile } from './percentile.ts';
import { topEigenpairs } from './lanczos.ts';
import { gramOf } from './volume.ts';

export interface MeanShiftOptions {
  /** percentile of the pairwise distances that gives the radius (official: 10) */
  window?: number;
  /** rounds over all points (official: 5) */
  iterations?: number;
}

export interface MeanShiftResult {
  /** the mode, d values */
  mode: Float32Array;
  radius: number;
  /** how many moved points share the maximal neighbour count (they are averaged) */
  ties: number;
}

/** Mean shift of the m x d points in `x` (row-major, left untouched). */
export async function meanShiftMode(gpu: Gpu, x: GpuBuffer, m: number, d: number, opts: MeanShiftOptions = {}): Promise<MeanShiftResult> {
  const window = opts.window ?? 10;
  const iterations = opts.iterations ?? 5;
  // Pairwise distances from the Gram matrix: one matmul instead of m^2 d-long differences.
  const gram = gramOf(gpu, x, m, d);
  const dist = gramDistances(gpu, gram, m);
  const radius = await percentile(gpu, dist, m * m, window);
  dist.release();
  const r2 = radius * radius;
  const xn = diagonal(gpu, gram, m);
  gram.release();
  // Zero columns change no distance and no mean: pad to a multiple of 4 for the vec4 sweep.
  const d4 = Math.ceil(d / 4) * 4;
  let pts: GpuBuffer;
  if (d4 === d) {
    pts = gpu.alloc(m * d * 4, 'meanshift points');
    gpu.copy(x, pts, m * d * 4);
  } else {
    const zeros = gpu.zeros(m * (d4 - d) * 4, 'meanshift padding');
    pts = concat(gpu, [x, zeros], [[m, d], [m, d4 - d]], 1).out;
    zeros.release();
  }
  const xp = gpu.alloc(m * d4 * 4, 'meanshift originals');
  gpu.copy(pts, xp, m * d4 * 4);
  const nbr = gpu.alloc(m * m * 4, 'meanshift neighbours');
  const countsBuf = gpu.alloc(m * 4, 'meanshift counts');
  // Each sweep: the neighbour lists of the points as the sweep begins (q = P X^T), then the
  // in-place update; after the last sweep the lists give the final counts.
  for (let it = 0; it <= iterations; it++) {
    const q = matmul(gpu, pts, xp, { M: m, N: m, K: d4, transB: true });
    meanShiftNeighbours(gpu, xn, pts, q, { m, d: d4 }, r2, { nbr, counts: countsBuf });
    q.release();
    if (it < iterations) meanShiftSweep(gpu, nbr, countsBuf, pts, { m, d: d4 });
  }
  xn.release();
  xp.release();
  nbr.release();
  const counts = (await gpu.readU32(countsBuf)).subarray(0, m);
  countsBuf.release();
  let best = 0;
  for (const c of counts) best = Math.max(best, c);
  const w = new Float32Array(m);
  let ties = 0;
  for (let i = 0; i < m; i++) if (counts[i] === best) ties++;
  for (let i = 0; i < m; i++) if (counts[i] === best) w[i] = 1 / ties;
  const wb = gpu.upload(w, 'mode weights');
  const modeBuf = matmul(gpu, wb, pts, { M: 1, N: d4, K: m });
  const mode = (await gpu.readF32(modeBuf)).slice(0, d);
  for (const b of [wb, modeBuf, pts]) b.release();
  return { mode, radius, ties };
}

/** Optimal 2-means of scalars (exact: the best split of the sorted values); 1 marks the smaller cluster. */
export function twoMeans1d(v: ArrayLike<number>): Uint8Array {
  const n = v.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  const prefix = new Float64Array(n + 1);
  const prefix2 = new Float64Array(n + 1);
  order.forEach((o, i) => {
    prefix[i + 1] = prefix[i] + v[o];
    prefix2[i + 1] = prefix2[i] + v[o] * v[o];
  });
  const sse = (a: number, b: number): number => prefix2[b] - prefix2[a] - (prefix[b] - prefix[a]) ** 2 / (b - a);
  let split = 1;
  let bestCost = Infinity;
  for (let s = 1; s < n; s++) {
    const c = sse(0, s) + sse(s, n);
    if (c < bestCost) {
      bestCost = c;
      split = s;
    }
  }
  const labels = new Uint8Array(n);
  const low = split <= n - split; // the lower side is the smaller cluster
  order.forEach((o, i) => {
    labels[o] = (i < split) === low ? 1 : 0;
  });
  return labels;
}

/** Normalized cut into two clusters of the m x m dissimilarity `v` (affinity 1 - v); 1 = the smaller cluster. */
export async function spectralBipartition(gpu: Gpu, v: GpuBuffer, m: number): Promise<Uint8Array> {
  if (m < 2) return new Uint8Array(m);
  const ones = fill(gpu, m, 1);
  const a = cutAffinity(gpu, v, ones, m);
  const degBuf = reduceAxis(gpu, 'sum', a, m, m, 1);
  const deg = (await gpu.readF32(degBuf)).subarray(0, m);
  for (const b of [ones, a, degBuf]) b.release();
  // scipy: an isolated node (degree 0) gets 1; a non-positive degree (possible with negative
  // cosine affinities) would be NaN there, we treat it as isolated.
  const dd = Float64Array.from(deg, (x) => (x > 0 ? Math.sqrt(x) : 1));
  const s = gpu.upload(Float32Array.from(dd, (x) => 1 / x), 'cut scale');
  const nrm = cutAffinity(gpu, v, s, m);
  s.release();
  const vec = gpu.alloc(m * 4, 'lanczos vector');
  try {
    const { vectors } = await topEigenpairs(async (x) => {
      gpu.write(vec, x);
      const y = matmul(gpu, nrm, vec, { M: m, N: 1, K: m });
      const out = (await gpu.readF32(y)).slice(0, m);
      y.release();
      return out;
    }, m, 2);
    // The leading eigenvector is sqrt(degree) itself (its embedding coordinate is constant), so
    // sklearn's 2-means on the 2-D embedding splits along the second coordinate alone.
    const fiedler = vectors.length > 1 ? vectors[1] : new Float64Array(m);
    return twoMeans1d(fiedler.map((x, i) => x / dd[i]));
  } finally {
    vec.release();
    nrm.release();
  }
}
