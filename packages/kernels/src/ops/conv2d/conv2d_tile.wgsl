// Register tile shared by the conv2d kernels (implicit GEMM).
//
// A workgroup is 8 lanes. Each lane owns 4 consecutive indices of the "lane axis" (output
// channels for the forward pass, input channels for the input gradient, ...) held as the
// components of a vec4, so the workgroup covers 32 of them; all lanes share 16 "block columns"
// (output pixels, weight rows, ...). A lane accumulates acc[j] (j < 16): a vec4 over its 4
// lane-axis indices for block column j, i.e. a 32 x 16 tile per workgroup and 64 accumulators
// per lane.
//
// The reduction advances 4 steps at a time (tile_k4*):
//   a[kk]      vec4: this lane's operand at reduction step kk (its own loads), kk < 4
//   block      16 columns x 4 steps, loaded cooperatively: each lane loads two vec4 ("block
//              vectors") and tile_share/tile_get (tile_subgroup.wgsl or tile_workgroup.wgsl)
//              hand them to every lane.
//   acc[j] += a[kk] * block[j][kk]   for every j, kk  (256 multiply-adds per lane per call)
//
// Why this shape: on lavapipe (the CPU adapter every test and CI run uses) each lane-varying
// storage load is scalarised into a per-lane loop that costs about as much as a dozen vec4
// FMAs, while a subgroup shuffle costs about one. So each lane issues only 6 vec4 loads per
// 256 multiply-adds; the rest of its operands arrive by shuffle.

// Convolution geometry: the first 64 bytes of every tile kernel's Params (convParams() in
// conv2d_common.ts packs it). x [n, h, w, cin] -> y [n, oh, ow, cout], kernel kh x kw, stride
// (sh, sw), zero padding (ph, pw), dilation (dh, dw). cols = 16, the block columns per workgroup,
// passed as a uniform so that the epilogue loops over it stay loops (see conv2d_forward.wgsl).
struct Conv {
  n: u32, h: u32, w: u32, cin: u32,
  oh: u32, ow: u32, cout: u32, kh: u32,
  kw: u32, sh: u32, sw: u32, ph: i32,
  pw: i32, dh: u32, dw: u32, cols: u32,
}

// acc[j] += a * col, where col[kk] is block column j at reduction step kk.
fn tile_fma_col(acc: ptr<function, array<vec4<f32>, 16>>, j: u32, a: mat4x4<f32>, col: vec4<f32>) {
  (*acc)[j] = fma(a[3], vec4<f32>(col.w), fma(a[2], vec4<f32>(col.z),
              fma(a[1], vec4<f32>(col.y), fma(a[0], vec4<f32>(col.x), (*acc)[j]))));
}

// Block vectors are columns: block vector j holds column j over the 4 steps (lane l loads
// columns 2l and 2l+1).
fn tile_k4(acc: ptr<function, array<vec4<f32>, 16>>, a: mat4x4<f32>, lane: u32, b0: vec4<f32>, b1: vec4<f32>) {
  tile_share(lane, b0, b1);
  tile_fma_col(acc, 0u, a, tile_get(0u));
  tile_fma_col(acc, 1u, a, tile_get(1u));
  tile_fma_col(acc, 2u, a, tile_get(2u));
  tile_fma_col(acc, 3u, a, tile_get(3u));
  tile_fma_col(acc, 4u, a, tile_get(4u));
  tile_fma_col(acc, 5u, a, tile_get(5u));
  tile_fma_col(acc, 6u, a, tile_get(6u));
  tile_fma_col(acc, 7u, a, tile_get(7u));
  tile_fma_col(acc, 8u, a, tile_get(8u));
  tile_fma_col(acc, 9u, a, tile_get(9u));
  tile_fma_col(acc, 10u, a, tile_get(10u));
  tile_fma_col(acc, 11u, a, tile_get(11u));
  tile_fma_col(acc, 12u, a, tile_get(12u));
  tile_fma_col(acc, 13u, a, tile_get(13u));
  tile_fma_col(acc, 14u, a, tile_get(14u));
  tile_fma_col(acc, 15u, a, tile_get(15u));
}

// Columns 4g..4g+3 of the block, given block vectors holding 4 columns at one step each
// (vector 4*kk + g holds columns 4g..4g+3 at step kk).
fn tile_group_t(acc: ptr<function, array<vec4<f32>, 16>>, g: u32, a: mat4x4<f32>) {
  // Rows of this matrix are steps; transposing makes column c the block column 4g + c.
  let cols = transpose(mat4x4<f32>(tile_get(g), tile_get(4u + g), tile_get(8u + g), tile_get(12u + g)));
  tile_fma_col(acc, 4u * g, a, cols[0]);
  tile_fma_col(acc, 4u * g + 1u, a, cols[1]);
  tile_fma_col(acc, 4u * g + 2u, a, cols[2]);
  tile_fma_col(acc, 4u * g + 3u, a, cols[3]);
}

// Same update with block vectors that are rows: vector 4*kk + g holds columns 4g..4g+3 at
// step kk (lane l loads vectors 2l and 2l+1), the natural layout when a step's 16 columns
// are contiguous in memory (input channels of one pixel for the weight gradient).
fn tile_k4_rows(acc: ptr<function, array<vec4<f32>, 16>>, a: mat4x4<f32>, lane: u32, b0: vec4<f32>, b1: vec4<f32>) {
  tile_share(lane, b0, b1);
  tile_group_t(acc, 0u, a);
  tile_group_t(acc, 1u, a);
  tile_group_t(acc, 2u, a);
  tile_group_t(acc, 3u, a);
}
