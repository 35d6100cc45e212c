// Shared by the portable attention kernels (attention_fwd, attention_bwd_q, attention_bwd_kv),
// prepended by attention.ts (WGSL has no includes): their Params, the bindings they all have
// (0 Params, 1 q, 2 k, 3 v, 4 mask; each kernel declares the rest), row addressing and a
// bounds-safe 4-column read.

// seed0 .. keep_scale: dropout on the probabilities (attention_dropout.wgsl; unused without DROPOUT).
struct Params { B: u32, T: u32, H: u32, D: u32, scale: f32, g: u32, nb: u32, seed0: u32, seed1: u32, threshold: u32, keep_scale: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;

// Offset of element (b, t, h, 0) of a [B, T, H, D] tensor.
fn row_base(b: u32, t: u32, h: u32) -> u32 {
  return ((b * p.T + t) * p.H + h) * p.D;
}

// Columns d0 .. d0+3 of the row at `base`, zero past D (branch-free: clamped index, masked value).
fn ld4(buf: ptr<storage, array<f32>, read>, base: u32, d0: u32) -> vec4<f32> {
  let e = vec4<u32>(d0, d0 + 1u, d0 + 2u, d0 + 3u);
  let c = min(e, vec4<u32>(p.D - 1u)) + base;
  return select(vec4<f32>(0.0), vec4<f32>((*buf)[c.x], (*buf)[c.y], (*buf)[c.z], (*buf)[c.w]), e < vec4<u32>(p.D));
}
