/** Host-side cosine helpers for zero-shot scoring (a few hundred rows: no dispatch needed). */

/** Rows scaled to unit length (a zero row stays zero). */
export function l2NormalizeHost(x: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[r * dim + d] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let d = 0; d < dim; d++) out[r * dim + d] = x[r * dim + d] * inv;
  }
  return out;
}

/** a [n, dim] . b[m, dim]^T -> [n, m] */
export function dotRows(a: Float32Array, b: Float32Array, dim: number): Float64Array {
  const n = a.length / dim;
  const m = b.length / dim;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += a[i * dim + d] * b[j * dim + d];
    out[i * m + j] = s;
  }
  return out;
}

/** The image's embedding for retrieval: its patches normalised, averaged, normalised again. */
export function imageEmbedding(patches: Float32Array, count: number, dim: number): Float32Array {
  const unit = l2NormalizeHost(patches, dim);
  const mean = new Float32Array(dim);
  for (let r = 0; r < count; r++) for (let d = 0; d < dim; d++) mean[d] += unit[r * dim + d];
  return l2NormalizeHost(mean, dim);
}

/** 1-based rank of column `target` in a row of scores (ties count against it: no lucky ties). */
export function rankOf(scores: ArrayLike<number>, offset: number, cols: number, target: number): number {
  const t = scores[offset + target];
  let rank = 1;
  for (let c = 0; c < cols; c++) if (c !== target && scores[offset + c] >= t) rank++;
  return rank;
}
