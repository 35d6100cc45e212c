// InfoNCE, step 5: turns the cosine matrix into the gradient of the loss with respect to the
// cosines, in place:
//
//   G[i, j] = s * w / (2N) * (softmax_row(L)[i, j] + softmax_col(L)[i, j] - 2 [i == j])
//           = s * w / (2N) * (exp(L_ij - lse_row_i) + exp(L_ij - lse_col_j) - 2 [i == j]),  L = s S
//
// (d loss / d S = s * d loss / d L.) Then d loss / d an = G . bn and d loss / d bn = G^T . an are
// plain matrix products.
//
// Bindings:
//   0 Params {N, weight}
//   1 sc    f32 [2]          read (sc[0] = s)
//   2 stats vec4<f32> [2N]   read (lse in .x: rows 0..N-1, columns N..2N-1)
//   3 g     f32 [N, N]       read S, write G (in place)
//
// Thread mapping: one thread per element, 256 per workgroup, row-major; the grid may be 2-D
// (runtime grid()) and the linear id is rebuilt from it.

struct Params { N: u32, weight: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> sc: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> g: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = (wid.x + wid.y * nwg.x) * 256u + tid;
  let N = p.N;
  if (n >= N * N) { return; }
  let i = n / N;
  let j = n % N;
  let s = sc[0];
  let lg = s * g[n];
  let pr = exp(lg - stats[i].x);
  let pc = exp(lg - stats[N + j].x);
  g[n] = s * p.weight / (2.0 * f32(N)) * (pr + pc - select(0.0, 2.0, i == j));
}
