// Mean shift with a flat kernel, the official splice-localization procedure (EXIF-SC /
// exif-as-language `mean_shift`): in each sweep the points move one after another, in place;
// the neighbours of point i are the ORIGINAL points within the radius of its current value,
// and it moves to the mean of the CURRENT values of those neighbours.
//
// Two facts make this parallel. (1) Point i's value only changes at its own turn, so the
// neighbour sets of a whole sweep follow from the points as they were when the sweep began:
// one matmul (q = P X^T) and `neighbours`. (2) With the sets fixed, every coordinate is an
// independent chain: p_i[c] = mean_{j in S_i} p_j[c] over the current column c. So `sweep`
// runs one thread per coordinate, each walking the points in order (Gauss-Seidel, column by
// column), which is the official update exactly.
//
//   xn     [m]     |x_j|^2 of the original points
//   pts    [m, d]  current points, updated in place by `sweep`
//   q      [m, m]  p_i . x_j at the start of the sweep
//   nbr    [m, m]  u32: row i lists its neighbours' indices in increasing order (first counts[i])
//   counts [m]     u32 neighbour counts
//
//   neighbours  one thread per point i: counts[i] and nbr row i of { j : |p_i - x_j|^2 <= r2 },
//               |p_i - x_j|^2 = |p_i|^2 - 2 q[i, j] + xn[j].
//   sweep       one thread per coordinate c: for i = 0 .. m-1, pts[i, c] = mean over nbr row i
//               of pts[j, c] (a point without neighbours stays; the official code gives NaN).
//   sweep_vec4  the same, one thread per 4 coordinates (d a multiple of 4; the caller pads):
//               a quarter of the loads and loop trips.

struct Params { m: u32, d: u32, r2: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xn: array<f32>;
@group(0) @binding(2) var<storage, read> ptsIn: array<f32>;
@group(0) @binding(3) var<storage, read> q: array<f32>;
@group(0) @binding(4) var<storage, read_write> nbrOut: array<u32>;
@group(0) @binding(5) var<storage, read_write> countsOut: array<u32>;

@group(0) @binding(1) var<storage, read> nbr: array<u32>;
@group(0) @binding(2) var<storage, read> counts: array<u32>;
@group(0) @binding(3) var<storage, read_write> pts: array<f32>;
@group(0) @binding(3) var<storage, read_write> pts4: array<vec4<f32>>;

@compute @workgroup_size(64)
fn neighbours(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= p.m) { return; }
  var pn = 0.0;
  for (var k = 0u; k < p.d; k = k + 1u) { let v = ptsIn[i * p.d + k]; pn = pn + v * v; }
  var n = 0u;
  for (var j = 0u; j < p.m; j = j + 1u) {
    if (pn - 2.0 * q[i * p.m + j] + xn[j] <= p.r2) {
      nbrOut[i * p.m + n] = j;
      n = n + 1u;
    }
  }
  countsOut[i] = n;
}

@compute @workgroup_size(64)
fn sweep(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.d) { return; }
  for (var i = 0u; i < p.m; i = i + 1u) {
    let n = counts[i];
    if (n == 0u) { continue; }
    var s = 0.0;
    for (var k = 0u; k < n; k = k + 1u) { s = s + pts[nbr[i * p.m + k] * p.d + c]; }
    pts[i * p.d + c] = s / f32(n);
  }
}

@compute @workgroup_size(64)
fn sweep_vec4(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let d4 = p.d / 4u;
  if (c >= d4) { return; }
  for (var i = 0u; i < p.m; i = i + 1u) {
    let n = counts[i];
    if (n == 0u) { continue; }
    var s = vec4<f32>(0.0);
    for (var k = 0u; k < n; k = k + 1u) { s = s + pts4[nbr[i * p.m + k] * d4 + c]; }
    pts4[i * d4 + c] = s / f32(n);
  }
}
