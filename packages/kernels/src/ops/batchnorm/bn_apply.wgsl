// Batch-norm normalization + affine over x [M, C] (NHWC flattened, channel last):
//   y[r, c] = (x[r, c] - mean[c]) * invstd[c] * gamma[c] + beta[c],   then max(y, 0) if RELU.
// Entry points (same job, two sources of statistics):
//   `main` (training): stats [2, C] = batch mean then invstd, as written by bn_stats finalize.
//   `main_eval` (inference): running_mean [C], running_var [C]; invstd = 1 / sqrt(var + eps).
// Bindings: 0 Params; 1 x [M, C] f32; 2 gamma [C] f32; 3 beta [C] f32; 4 y [M, C] f32;
//   `main`: 5 stats [2, C] f32;  `main_eval`: 5 running_mean [C] f32, 6 running_var [C] f32.
// Threads: one per element over M*C, 256 per workgroup (2-D grid when large); channel = i % C.

override RELU: u32 = 0u;

struct Params { total: u32, c: u32, eps: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read> running_mean: array<f32>;
@group(0) @binding(6) var<storage, read> running_var: array<f32>;

fn write(i: u32, c: u32, mean: f32, invstd: f32) {
  var v = (x[i] - mean) * invstd * gamma[c] + beta[c];
  if (RELU != 0u) { v = max(v, 0.0); }
  y[i] = v;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.total) { return; }
  let c = i % p.c;
  write(i, c, stats[c], stats[p.c + c]);
}

@compute @workgroup_size(256)
fn main_eval(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.total) { return; }
  let c = i % p.c;
  write(i, c, running_mean[c], 1.0 / sqrt(running_var[c] + p.eps));
}
