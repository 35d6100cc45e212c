// Box voting along one axis (the official overlapping-patch voting, one axis at a time).
//   main       out[o, x, i] = sum_{k = max(0, x - s + 1)}^{min(L - 1, x)} inp[o, k, i]
//              inp viewed as [outer, L, inner], out as [outer, L + s - 1, inner]: every patch
//              index k votes into the s cells k .. k + s - 1. Four passes over the axes of the
//              [R, C, R, C] dissimilarities give the official 4-D response sums.
//   normalize  out[idx] = inp[idx] / (prod_a count_a(x_a) + 1e-4) over the (up to) 4 leading
//              axes of a [n0, n1, n2, n3, ch] tensor, count_a(x) = votes cell x of axis a gets
//              = min(L_a - 1, x) - max(0, x - s + 1) + 1 (the official vote_counts, which
//              start at 1e-4). Axes of size 1 with L = 1 count 1.
// One thread per output element, 256 per workgroup, 2-D grid (runtime grid()).

struct Params {
  outer: u32, len: u32, inner: u32, spread: u32,
  n0: u32, n1: u32, n2: u32, n3: u32,
  l0: u32, l1: u32, l2: u32, l3: u32,
  ch: u32, total: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * 256u;
  let cells = p.len + p.spread - 1u;
  if (idx >= p.outer * cells * p.inner) { return; }
  let i = idx % p.inner;
  let x = (idx / p.inner) % cells;
  let o = idx / (p.inner * cells);
  // k runs over the patches whose window holds cell x: x - s + 1 <= k <= x, 0 <= k < L.
  let k0 = select(0u, x + 1u - p.spread, x + 1u >= p.spread);
  let k1 = min(p.len - 1u, x);
  var s = 0.0;
  for (var k = k0; k <= k1; k = k + 1u) {
    s = s + inp[(o * p.len + k) * p.inner + i];
  }
  out[idx] = s;
}

fn votes(x: u32, l: u32, s: u32) -> f32 {
  let lo = select(0u, x + 1u - s, x + 1u >= s);
  return f32(min(l - 1u, x) - lo + 1u);
}

@compute @workgroup_size(256)
fn normalize(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * 256u;
  if (idx >= p.total) { return; }
  var r = idx / p.ch;
  let x3 = r % p.n3; r = r / p.n3;
  let x2 = r % p.n2; r = r / p.n2;
  let x1 = r % p.n1;
  let x0 = r / p.n1;
  let c = votes(x0, p.l0, p.spread) * votes(x1, p.l1, p.spread) * votes(x2, p.l2, p.spread) * votes(x3, p.l3, p.spread);
  out[idx] = inp[idx] / (c + 1e-4);
}
