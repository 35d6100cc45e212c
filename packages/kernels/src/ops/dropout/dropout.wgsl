// Dropout with a counter-based mask: y[i] = x[i] * scale where dropout_keep(seed, i), else 0
// (dropout_hash.wgsl, prepended by the launcher). The backward pass recomputes the same mask
// from the seed instead of storing it: dx = dropout(dy) with the same seed.
// Layout: x, y contiguous f32 [n]. One thread per element, 256 per workgroup, 2-D grid
// allowed (runtime grid()).

struct Params { n: u32, seed0: u32, seed1: u32, threshold: u32, scale: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  y[i] = select(0.0, x[i] * p.scale, dropout_keep(p.seed0, p.seed1, p.threshold, i));
}
