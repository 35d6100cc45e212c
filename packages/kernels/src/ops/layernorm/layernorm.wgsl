// Layer norm over the last dimension of x [R, C] (one row = one token's features):
//   mean[r]   = sum_c x[r, c] / C
//   var[r]    = sum_c (x[r, c] - mean[r])^2 / C        (two passes over the row: no cancellation)
//   invstd[r] = 1 / sqrt(var[r] + eps)
//   y[r, c]   = (x[r, c] - mean[r]) * invstd[r] * gamma[c] + beta[c]
// and saves stats [2, R] = mean then invstd for the backward.
// Bindings: 0 Params; 1 x [R, C] f32; 2 gamma [C] f32; 3 beta [C] f32; 4 y [R, C] f32;
//   5 stats [2, R] f32.
// Threads: one workgroup of WG threads per row (row_reduce.wgsl, prepended, has WG and the
// reductions), rows over a 2-D grid when R > 65535; thread t handles columns t, t + WG, ...

struct Params { rows: u32, c: u32, eps: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) l: u32) {
  let row = row_of(wid, nwg);
  if (row >= p.rows) { return; }
  let base = row * p.c;
  var s = 0.0;
  for (var j = l; j < p.c; j += WG) { s += x[base + j]; }
  let mean = workgroup_sum(s, l) / f32(p.c);
  var q = 0.0;
  for (var j = l; j < p.c; j += WG) {
    let d = x[base + j] - mean;
    q += d * d;
  }
  let invstd = 1.0 / sqrt(workgroup_sum(q, l) / f32(p.c) + p.eps);
  for (var j = l; j < p.c; j += WG) {
    y[base + j] = (x[base + j] - mean) * invstd * gamma[j] + beta[j];
  }
  if (l == 0u) {
    stats[row] = mean;
    stats[p.rows + row] = invstd;
  }
}
