// Layer norm backward for the input, per row of x, dy [R, C]:
//   xhat = (x - mean[r]) * invstd[r],   g = dy * gamma
//   dx   = invstd[r] * (g - sum_c(g) / C - xhat * sum_c(g * xhat) / C)
// (dgamma and dbeta reduce over rows instead; see batchnorm/affine_grad.wgsl with PER_ROW).
// Bindings: 0 Params; 1 dy [R, C] f32; 2 x [R, C] f32; 3 gamma [C] f32; 4 stats [2, R] f32
//   (mean then invstd, from the forward); 5 dx [R, C] f32.
// Threads: one workgroup of WG threads per row (row_reduce.wgsl, prepended, has WG and the
// reductions), rows over a 2-D grid when R > 65535; thread t handles columns t, t + WG, ...

struct Params { rows: u32, c: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) l: u32) {
  let row = row_of(wid, nwg);
  if (row >= p.rows) { return; }
  let base = row * p.c;
  let mean = stats[row];
  let invstd = stats[p.rows + row];
  var sg = 0.0;
  var sgx = 0.0;
  for (var j = l; j < p.c; j += WG) {
    let g = dy[base + j] * gamma[j];
    sg += g;
    sgx += g * (x[base + j] - mean) * invstd;
  }
  let mg = workgroup_sum(sg, l) / f32(p.c);
  let mgx = workgroup_sum(sgx, l) / f32(p.c);
  for (var j = l; j < p.c; j += WG) {
    let xhat = (x[base + j] - mean) * invstd;
    dx[base + j] = invstd * (dy[base + j] * gamma[j] - mg - xhat * mgx);
  }
}
