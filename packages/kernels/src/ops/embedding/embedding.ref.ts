/** float64 reference for embedding.wgsl. */
export function embeddingRef(table: ArrayLike<number>, vocab: number, dim: number, ids: ArrayLike<number>): Float64Array {
  const out = new Float64Array(ids.length * dim);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] >= vocab) continue; // zero row
    for (let d = 0; d < dim; d++) out[i * dim + d] = table[ids[i] * dim + d];
  }
  return out;
}
