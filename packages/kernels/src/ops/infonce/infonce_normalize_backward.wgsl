// InfoNCE, step 7: gradients through the L2 normalisation of both embedding matrices.
//
//   dimg[i] = (dan[i] - an[i] (an[i] . dan[i])) * rnorm[i]
//   dtxt[i] = (dbn[i] - bn[i] (bn[i] . dbn[i])) * rnorm[N + i]
//
// (the Jacobian of x / |x| is (I - a a^T) / |x|; exact for |x| >= 1e-12, the clamp in
// infonce_normalize).
//
// Bindings (0, the row helpers and the reduction come from infonce_rows.wgsl, prepended by the
// launcher):
//   0 Params {N, D}
//   1 an    f32 [N, D]   read
//   2 bn    f32 [N, D]   read
//   3 dan   f32 [N, D]   read
//   4 dbn   f32 [N, D]   read
//   5 rnorm f32 [2N]     read
//   6 dimg  f32 [N, D]   write
//   7 dtxt  f32 [N, D]   write
//
// Thread mapping: one workgroup of 64 threads per row (rows 0..N-1 image, N..2N-1 text; grid
// may be 2-D); the dot product is reduced in workgroup memory in a fixed order.

@group(0) @binding(1) var<storage, read> an: array<f32>;
@group(0) @binding(2) var<storage, read> bn: array<f32>;
@group(0) @binding(3) var<storage, read> dan: array<f32>;
@group(0) @binding(4) var<storage, read> dbn: array<f32>;
@group(0) @binding(5) var<storage, read> rnorm: array<f32>;
@group(0) @binding(6) var<storage, read_write> dimg: array<f32>;
@group(0) @binding(7) var<storage, read_write> dtxt: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = row_index(wid, nwg);
  if (r >= 2u * p.N) { return; }  // uniform per workgroup
  let is_img = r < p.N;
  let base = row_offset(r);
  var dot = 0.0;
  for (var d = tid; d < p.D; d += 64u) {
    if (is_img) { dot += an[base + d] * dan[base + d]; } else { dot += bn[base + d] * dbn[base + d]; }
  }
  let ad = workgroup_sum(tid, dot);
  let inv = rnorm[r];
  for (var d = tid; d < p.D; d += 64u) {
    if (is_img) {
      dimg[base + d] = (dan[base + d] - an[base + d] * ad) * inv;
    } else {
      dtxt[base + d] = (dbn[base + d] - bn[base + d] * ad) * inv;
    }
  }
}
