// Backward of the row softmax over the last dimension, from its output y and dy [R, C]:
//   LOG = 0 (softmax):      dx = y * (dy - sum_c(dy * y))
//   LOG = 1 (log-softmax):  dx = dy - exp(y) * sum_c(dy)
// (A fully masked row has y = 0 (softmax), so its dx is 0; for log-softmax y = -inf and
// exp(y) = 0 leaves dx = dy, the gradient with respect to constants that do not matter.)
// Bindings: 0 Params; 1 y [R, C] f32 (forward output); 2 dy [R, C] f32; 3 dx [R, C] f32.
// Threads: one workgroup of WG threads per row (row_reduce.wgsl, prepended, has WG and the
// reductions), rows over a 2-D grid when R > 65535; thread t handles columns t, t + WG, ...

override LOG: u32 = 0u;

struct Params { rows: u32, c: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) l: u32) {
  let row = row_of(wid, nwg);
  if (row >= p.rows) { return; }
  let base = row * p.c;
  var s = 0.0;
  for (var j = l; j < p.c; j += WG) {
    s += select(dy[base + j] * y[base + j], dy[base + j], LOG != 0u);
  }
  let total = workgroup_sum(s, l);
  for (var j = l; j < p.c; j += WG) {
    let v = y[base + j];
    let g = dy[base + j];
    dx[base + j] = select(v * (g - total), g - exp(v) * total, LOG != 0u);
  }
}
