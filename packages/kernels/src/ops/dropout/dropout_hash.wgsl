// The dropout mask, shared by dropout.wgsl and the fused attention kernels (prepended by their
// launchers; WGSL has no includes): keep(seed, i) is a pure function of (seed0, seed1, i), so a
// backward pass recomputes the mask from the seed instead of storing it.
//   r = h(h(i ^ k1) + k2), k1 = h(seed0), k2 = h(seed1 ^ k1), h = lowbias32 (C. Wellons'
//   integer hash, full avalanche); keep when r >= threshold (threshold = round(p * 2^32)).

fn lowbias32(v: u32) -> u32 {
  var h = v;
  h ^= h >> 16u;
  h *= 0x7feb352du;
  h ^= h >> 15u;
  h *= 0x846ca68bu;
  h ^= h >> 16u;
  return h;
}

fn dropout_keep(seed0: u32, seed1: u32, threshold: u32, i: u32) -> bool {
  let k1 = lowbias32(seed0);
  let k2 = lowbias32(seed1 ^ k1);
  return lowbias32(lowbias32(i ^ k1) + k2) >= threshold;
}
