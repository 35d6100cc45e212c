// Dropout on the attention probabilities inside the fused kernels, prepended by attention.ts
// after the Params snippet (which holds seed0, seed1, threshold and keep_scale) and
// dropout_hash.wgsl.
//
// The mask is dropout_keep, the dropout kernel's counter-based hash of the element's flat index in the [B, H, T, T]
// probability tensor, so a fused call drops exactly what `dropout` would drop from the
// materialised probabilities with the same seed, and the backward kernels regenerate the mask
// instead of reading one:
//   P~_ij = P_ij * drop(b, h, i, j),   drop = keep ? 1 / (1 - p) : 0
//   out_i = sum_j P~_ij v_j;  the row statistics (max, sum, lse) stay those of the undropped P.
// With DROPOUT false (an override) every factor is the constant 1 and the code folds away.

override DROPOUT: bool = false;

// Factor of probability (b, h, query i, key j); the caller keeps i, j < T.
fn drop_factor(b: u32, h: u32, i: u32, j: u32) -> f32 {
  if (!DROPOUT) { return 1.0; }
  let idx = ((b * p.H + h) * p.T + i) * p.T + j;
  return select(0.0, p.keep_scale, dropout_keep(p.seed0, p.seed1, p.threshold, idx));
}

// Factors of keys j0 .. j0+3 for query i (keys past T get 0: their probabilities are 0 anyway).
fn drop_keys4(b: u32, h: u32, i: u32, j0: u32) -> vec4<f32> {
  if (!DROPOUT) { return vec4<f32>(1.0); }
  let last = p.T - 1u;
  return vec4<f32>(
    drop_factor(b, h, i, min(j0, last)),
    drop_factor(b, h, i, min(j0 + 1u, last)),
    drop_factor(b, h, i, min(j0 + 2u, last)),
    drop_factor(b, h, i, min(j0 + 3u, last)));
}

// Factors of queries i0 .. i0+3 for key j (queries past T: clamped, their P is 0 anyway).
fn drop_queries4(b: u32, h: u32, i0: u32, j: u32) -> vec4<f32> {
  if (!DROPOUT) { return vec4<f32>(1.0); }
  let last = p.T - 1u;
  return vec4<f32>(
    drop_factor(b, h, min(i0, last), j),
    drop_factor(b, h, min(i0 + 1u, last), j),
    drop_factor(b, h, min(i0 + 2u, last), j),
    drop_factor(b, h, min(i0 + 3u, last), j));
}
