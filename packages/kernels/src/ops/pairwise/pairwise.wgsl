// Element-wise maps of square [m, m] matrices, for clustering on the GPU.
//   gram_dist  out[i, j] = sqrt(max(0, g[i, i] + g[j, j] - 2 g[i, j])), 0 on the diagonal:
//              Euclidean distances between the rows of X from their Gram matrix g = X X^T.
//   affinity   out[i, j] = (1 - v[i, j]) * s[i] * s[j] off the diagonal, 0 on it: the
//              normalized-cut affinity of a dissimilarity matrix v, scaled by s (s = 1 gives
//              the raw affinity whose row sums are the degrees; s = degree^-1/2 gives
//              D^-1/2 A D^-1/2). The diagonal is dropped as scipy's Laplacian ignores it.
// One thread per element, 256 per workgroup, 2-D grid (runtime grid()).

struct Params { m: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> s: array<f32>;
@group(0) @binding(3) var<storage, read_write> outA: array<f32>;

@compute @workgroup_size(256)
fn gram_dist(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * 256u;
  if (idx >= p.m * p.m) { return; }
  let i = idx / p.m;
  let j = idx % p.m;
  let d2 = g[i * p.m + i] + g[j * p.m + j] - 2.0 * g[idx];
  out[idx] = select(sqrt(max(0.0, d2)), 0.0, i == j);
}

@compute @workgroup_size(256)
fn affinity(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * 256u;
  if (idx >= p.m * p.m) { return; }
  let i = idx / p.m;
  let j = idx % p.m;
  outA[idx] = select((1.0 - g[idx]) * s[i] * s[j], 0.0, i == j);
}

// diagonal  out[i] = g[i, i] (squared norms of the rows of X from its Gram matrix).
@compute @workgroup_size(256)
fn diagonal(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.m) { return; }
  out[i] = g[i * p.m + i];
}
