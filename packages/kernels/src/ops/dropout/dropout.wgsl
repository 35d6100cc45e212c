// Dropout with a counter-based mask: y[i] = x[i] * scale where keep(seed, i), else 0.
// keep(seed, i) is a pure function of (seed0, seed1, i), so the backward pass recomputes the
// same mask from the seed instead of storing it: dx = dropout(dy) with the same seed.
//   r = h(h(i ^ k1) + k2), k1 = h(seed0), k2 = h(seed1 ^ k1), h = lowbias32 (C. Wellons'
//   integer hash, full avalanche); keep when r >= threshold (threshold = round(p * 2^32)).
// Layout: x, y contiguous f32 [n]. One thread per element, 256 per workgroup, 2-D grid
// allowed (runtime grid()).

struct Params { n: u32, seed0: u32, seed1: u32, threshold: u32, scale: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

fn lowbias32(v: u32) -> u32 {
  var h = v;
  h ^= h >> 16u;
  h *= 0x7feb352du;
  h ^= h >> 15u;
  h *= 0x846ca68bu;
  h ^= h >> 16u;
  return h;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let k1 = lowbias32(p.seed0);
  let k2 = lowbias32(p.seed1 ^ k1);
  let r = lowbias32(lowbias32(i ^ k1) + k2);
  y[i] = select(0.0, x[i] * p.scale, r >= p.threshold);
}
