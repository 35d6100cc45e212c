// Row softmax over the last dimension of x [R, C], numerically stable (max-subtracted):
//   m = max_c x[r, c],  s = sum_c exp(x[r, c] - m)
//   LOG = 0: y = exp(x - m) / s            (softmax)
//   LOG = 1: y = x - m - log(s)            (log-softmax)
// -inf entries (masked logits) get probability 0 (log-probability -inf). A row that is entirely
// -inf has no defined softmax (PyTorch returns NaN); here it yields all zeros (log: all -inf),
// so a fully masked row contributes nothing instead of poisoning a batch with NaN. +inf or NaN
// inputs give NaN rows, as in PyTorch.
// Bindings: 0 Params; 1 x [R, C] f32; 2 y [R, C] f32.
// Threads: one workgroup of WG threads per row (row_reduce.wgsl, prepended, has WG and the
// reductions), rows over a 2-D grid when R > 65535; thread t handles columns t, t + WG, ...

override LOG: u32 = 0u;

struct Params { rows: u32, c: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

// Most negative finite f32: the neutral start of the max. (An infinite constant is not
// representable in WGSL, and masked inputs are detected through the sum instead, below.)
const LOWEST: f32 = -0x1.fffffep+127f;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) l: u32) {
  let row = row_of(wid, nwg);
  if (row >= p.rows) { return; }
  let base = row * p.c;
  var m = LOWEST;
  for (var j = l; j < p.c; j += WG) { m = max(m, x[base + j]); }
  m = workgroup_max(m, l);
  var s = 0.0;
  for (var j = l; j < p.c; j += WG) { s += exp(x[base + j] - m); }
  s = workgroup_sum(s, l);
  // The maximum contributes exp(0) = 1, so s >= 1 unless every entry is -inf (then m stayed
  // LOWEST and every term is exp(-inf) = 0). Testing s avoids comparing against infinity.
  let all_masked = s == 0.0;
  if (LOG != 0u) {
    // (x - m) - log(s), not x - (m + log(s)): log(s) <= log(C) vanishes next to a huge m.
    let ls = log(s);
    // A masked row keeps its -inf inputs as the output.
    for (var j = l; j < p.c; j += WG) { y[base + j] = select((x[base + j] - m) - ls, x[base + j], all_masked); }
  } else {
    let inv = 1.0 / s;
    for (var j = l; j < p.c; j += WG) { y[base + j] = select(exp(x[base + j] - m) * inv, 0.0, all_masked); }
  }
}
