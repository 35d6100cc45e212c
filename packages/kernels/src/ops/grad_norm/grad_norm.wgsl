// Global gradient norm and clip coefficient from per-tensor sums of squares, as
// torch.nn.utils.clip_grad_norm_ (norm_type 2):
//   norm = sqrt(sum_k sq[k]),  coef = min(1, max_norm / (norm + 1e-6))
//   out[0] = norm, out[1] = coef   (the optimizer kernels read coef as their gradient scale)
// Layout: sq f32 [count] (e.g. sumSquares of each gradient written at its slot); out f32 [2].
// One workgroup of 256 threads: each sums a strided share of sq, then a fixed tree combines
// the 256 partials (deterministic).

struct Params { count: u32, max_norm: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> sq: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
  var acc = 0.0;
  for (var k = t; k < p.count; k += 256u) { acc += sq[k]; }
  part[t] = acc;
  workgroupBarrier();
  for (var h = 128u; h > 0u; h = h / 2u) {
    if (t < h) { part[t] += part[t + h]; }
    workgroupBarrier();
  }
  if (t == 0u) {
    let norm = sqrt(part[0]);
    out[0] = norm;
    out[1] = min(1.0, p.max_norm / (norm + 1e-6));
  }
}
