enable subgroups;

// Shared by the subgroup attention kernels (attention_fwd_sg, attention_bwd_q_sg,
// attention_bwd_kv_sg), prepended by attention.ts: their Params, the bindings they all have
// (0 Params, 1 q, 2 k, 3 v as vec4, 4 mask; each kernel declares the rest), row addressing and
// chunk reads. A row lives in registers as D4 vec4s (D <= 64); the loops over D4 are unrolled
// (a constant bound, not an override: one pipeline serves every D) so that it stays there.

const D4: u32 = 16u;

// seed0 .. keep_scale: dropout on the probabilities (attention_dropout.wgsl; unused without DROPOUT).
struct Params { B: u32, T: u32, H: u32, D: u32, scale: f32, d4: u32, seed0: u32, seed1: u32, threshold: u32, keep_scale: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;

// vec4 index of element (b, t, h, 0); p.d4 = D / 4.
fn row4(b: u32, t: u32, h: u32) -> u32 {
  return ((b * p.T + t) * p.H + h) * p.d4;
}

// Chunk c (columns 4c .. 4c+3) of the row at `base`, zero past D.
fn ld(buf: ptr<storage, array<vec4<f32>>, read>, base: u32, c: u32) -> vec4<f32> {
  return select(vec4<f32>(0.0), (*buf)[base + min(c, p.d4 - 1u)], c < p.d4);
}

fn hsum(x: vec4<f32>) -> f32 {
  return x.x + x.y + x.z + x.w;
}

// One f32 per lane of the subgroup: lane j's value in component j % 4 of lo (j < 4) or hi.
struct Lanes8 { lo: vec4<f32>, hi: vec4<f32>, }

fn zero8() -> Lanes8 {
  return Lanes8(vec4<f32>(0.0), vec4<f32>(0.0));
}

// x of every lane, handed to all lanes.
fn lanes8(x: f32) -> Lanes8 {
  return Lanes8(
    vec4<f32>(subgroupShuffle(x, 0u), subgroupShuffle(x, 1u), subgroupShuffle(x, 2u), subgroupShuffle(x, 3u)),
    vec4<f32>(subgroupShuffle(x, 4u), subgroupShuffle(x, 5u), subgroupShuffle(x, 6u), subgroupShuffle(x, 7u)));
}

// acc[j] + x . (lane j's c): one chunk of 8 dot products against the rows the lanes hold.
fn dot8(acc: Lanes8, x: vec4<f32>, c: vec4<f32>) -> Lanes8 {
  return Lanes8(
    acc.lo + vec4<f32>(dot(x, subgroupShuffle(c, 0u)), dot(x, subgroupShuffle(c, 1u)), dot(x, subgroupShuffle(c, 2u)), dot(x, subgroupShuffle(c, 3u))),
    acc.hi + vec4<f32>(dot(x, subgroupShuffle(c, 4u)), dot(x, subgroupShuffle(c, 5u)), dot(x, subgroupShuffle(c, 6u)), dot(x, subgroupShuffle(c, 7u))));
}

// sum_j w[j] * (lane j's c): one chunk of a weighted sum of the rows the lanes hold.
fn mix8(w: Lanes8, c: vec4<f32>) -> vec4<f32> {
  return w.lo.x * subgroupShuffle(c, 0u) + w.lo.y * subgroupShuffle(c, 1u)
    + w.lo.z * subgroupShuffle(c, 2u) + w.lo.w * subgroupShuffle(c, 3u)
    + w.hi.x * subgroupShuffle(c, 4u) + w.hi.y * subgroupShuffle(c, 5u)
    + w.hi.z * subgroupShuffle(c, 6u) + w.hi.w * subgroupShuffle(c, 7u);
}
