/**
 * Reference for embedding_backward.wgsl: the sequential loop over positions. With `f32` every
 * add is rounded to f32, which is what the kernel computes (same order), so it can be compared
 * bit for bit; without it the sums are float64.
 */
export function embeddingBackwardRef(
  dy: ArrayLike<number>,
  ids: ArrayLike<number>,
  vocab: number,
  dim: number,
  opts: { into?: ArrayLike<number>; paddingIdx?: number; f32?: boolean } = {},
): Float64Array {
  const grad = opts.into ? Float64Array.from(opts.into) : new Float64Array(vocab * dim);
  const round = opts.f32 ? Math.fround : (v: number) => v;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id >= vocab || id === opts.paddingIdx) continue;
    for (let d = 0; d < dim; d++) grad[id * dim + d] = round(grad[id * dim + d] + dy[i * dim + d]);
  }
  return grad;
}
