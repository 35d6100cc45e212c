// InfoNCE, step 1: L2-normalises the rows of both embedding matrices.
//
//   an[i] = img[i] * rnorm[i],      rnorm[i]     = 1 / max(|img[i]|, 1e-12)
//   bn[i] = txt[i] * rnorm[N + i],  rnorm[N + i] = 1 / max(|txt[i]|, 1e-12)
//
// Bindings (0, the row helpers and the reduction come from infonce_rows.wgsl, prepended by the
// launcher):
//   0 Params {N, D}
//   1 img   f32 [N, D]   read
//   2 txt   f32 [N, D]   read
//   3 an    f32 [N, D]   write
//   4 bn    f32 [N, D]   write
//   5 rnorm f32 [2N]     write (kept for the backward pass)
//
// Thread mapping: one workgroup of 64 threads per row (rows 0..N-1 image, N..2N-1 text; the
// grid may be 2-D, see runtime grid()); the threads stride over D and reduce the sum of squares
// in workgroup memory in a fixed order (deterministic).

@group(0) @binding(1) var<storage, read> img: array<f32>;
@group(0) @binding(2) var<storage, read> txt: array<f32>;
@group(0) @binding(3) var<storage, read_write> an: array<f32>;
@group(0) @binding(4) var<storage, read_write> bn: array<f32>;
@group(0) @binding(5) var<storage, read_write> rnorm: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = row_index(wid, nwg);
  if (r >= 2u * p.N) { return; }  // uniform per workgroup
  let is_img = r < p.N;
  let base = row_offset(r);
  var ss = 0.0;
  for (var d = tid; d < p.D; d += 64u) {
    var x = 0.0;
    if (is_img) { x = img[base + d]; } else { x = txt[base + d]; }
    ss += x * x;
  }
  let inv = 1.0 / max(sqrt(workgroup_sum(tid, ss)), 1e-12);
  for (var d = tid; d < p.D; d += 64u) {
    if (is_img) { an[base + d] = img[base + d] * inv; } else { bn[base + d] = txt[base + d] * inv; }
  }
  if (tid == 0u) { rnorm[r] = inv; }
}
