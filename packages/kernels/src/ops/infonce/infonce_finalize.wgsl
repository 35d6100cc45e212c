// InfoNCE, step 4: the scalars, from the row and column statistics.
//
//   loss    = w / (2N) * sum_i (lse_row_i + lse_col_i - 2 s S_ii)
//   dscale  = w / (2N) * sum_i (expS_row_i + expS_col_i - 2 S_ii) * sc[1]
//             (d loss / d s times d s / d param: the gradient of the parameter as it is held)
//   correct = (sum_i hit_row_i, sum_i hit_col_i)   top-1 image->text and text->image hits
//
// Bindings:
//   0 Params {N, weight}
//   1 sc      f32 [2]          read (s, d s / d param)
//   2 stats   vec4<f32> [2N]   read (lse, expS, hit, diag) from infonce_stats
//   3 loss    f32 [1]          write
//   4 dscale  f32 [1]          write
//   5 correct u32 [2]          write
//
// Thread mapping: a single workgroup of 256 threads; each sums a strided subset of i, then a
// fixed-order tree in workgroup memory (deterministic).

struct Params { N: u32, weight: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> sc: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> dscale: array<f32>;
@group(0) @binding(5) var<storage, read_write> correct: array<u32>;

var<workgroup> acc: array<vec4<f32>, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) tid: u32) {
  let s = sc[0];
  var a = vec4<f32>(0.0);
  for (var i = tid; i < p.N; i += 256u) {
    let r = stats[i];
    let c = stats[p.N + i];
    // r.w == c.w == S_ii.
    a += vec4<f32>(r.x + c.x - 2.0 * s * r.w, r.y + c.y - 2.0 * r.w, r.z, c.z);
  }
  acc[tid] = a;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (tid < w) { acc[tid] += acc[tid + w]; }
    workgroupBarrier();
  }
  if (tid == 0u) {
    let k = p.weight / (2.0 * f32(p.N));
    loss[0] = k * acc[0].x;
    dscale[0] = k * acc[0].y * sc[1];
    correct[0] = u32(acc[0].z + 0.5);
    correct[1] = u32(acc[0].w + 0.5);
  }
}
