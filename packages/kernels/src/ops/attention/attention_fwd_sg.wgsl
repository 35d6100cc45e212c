enable subgroups;

// Fused multi-head attention, forward: the subgroup variant for 8-wide subgroups (lavapipe /
// CPU Vulkan). Computes exactly what attention_fwd.wgsl computes (same bindings, outputs and
// conventions: a query without kept keys gets out = 0 and lse = +inf), for D a multiple of 4.
//
// Why a second kernel: lavapipe runs the 8 invocations of a subgroup as the lanes of one SIMD
// register and turns every memory read whose address is not a constant into a per-lane loop of
// scalar loads, so the broadcast reads of workgroup memory that the portable kernel relies on
// cost about as much as the arithmetic. Here every element of K and V is read from memory by
// exactly one lane and reaches the others by subgroupShuffle from a constant lane (a register
// permute); no workgroup memory, no barriers.
//
// Bindings (contiguous, read as vec4):
//   0 Params {B, T, H, D, scale, d4}     d4 = D / 4
//   1 q    vec4<f32> [B, T, H, D/4]   read
//   2 k    vec4<f32> [B, T, H, D/4]   read
//   3 v    vec4<f32> [B, T, H, D/4]   read
//   4 mask u32 [B, T]                 read, 1 = real key
//   5 out  vec4<f32> [B, T, H, D/4]   write
//   6 lse  f32 [B, H, T]              write
//
// Thread mapping: one subgroup (= workgroup) of 8 lanes per (8 queries, head, batch): lane l
// owns query row 8x + l and keeps q (pre-scaled) and its output row in registers (D4 vec4 each,
// D4 = 16 >= d4; columns past D are zero). Keys go by in blocks of 8, lane j
// loading key 8kb + j one vec4 at a time; its 8 scores and the online-softmax update stay in
// the lane. The loops over D4 are unrolled (constant bound) so the registers are registers.

// vec4 capacity of a row (D <= 64). A constant, not an override: one pipeline for every D, and
// the loops over it are unrolled so that rows stay in registers.
const D4: u32 = 16u;
const NEG_BIG: f32 = -3.0e38;              // finite stand-in for -inf
var<private> INF_BITS: u32 = 0x7f800000u;  // +inf, written as bits only

struct Params { B: u32, T: u32, H: u32, D: u32, scale: f32, d4: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;
@group(0) @binding(5) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

// vec4 index of element (b, t, h, 0).
fn row4(b: u32, t: u32, h: u32) -> u32 {
  return ((b * p.T + t) * p.H + h) * p.d4;
}

// Chunk c of a row, zero past D.
fn ld(buf: u32, base: u32, c: u32) -> vec4<f32> {
  let i = base + min(c, p.d4 - 1u);
  var x: vec4<f32>;
  if (buf == 0u) { x = q[i]; } else if (buf == 1u) { x = k[i]; } else { x = v[i]; }
  return select(vec4<f32>(0.0), x, c < p.d4);
}

fn hsum(x: vec4<f32>) -> f32 {
  return x.x + x.y + x.z + x.w;
}

@compute @workgroup_size(8)
fn main(@builtin(subgroup_invocation_id) lane: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.z;
  let h = wid.y;
  let row = wid.x * 8u + lane;
  let qbase = row4(b, min(row, p.T - 1u), h);
  var qr: array<vec4<f32>, D4>;
  var acc: array<vec4<f32>, D4>;
  for (var c = 0u; c < D4; c++) { qr[c] = ld(0u, qbase, c) * p.scale; }

  var m = NEG_BIG;
  var l = 0.0;
  for (var kb = 0u; kb < p.T; kb += 8u) {
    let t = min(kb + lane, p.T - 1u);
    let kbase = row4(b, t, h);
    let keep = select(0.0, 1.0, kb + lane < p.T && mask[b * p.T + t] != 0u);
    // Scores against keys kb..kb+7 (partial sums per vec4 component, summed after the loop).
    var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;
    var s4 = 0.0; var s5 = 0.0; var s6 = 0.0; var s7 = 0.0;
    for (var c = 0u; c < D4; c++) {
      let kc = ld(1u, kbase, c);
      let x = qr[c];
      s0 += dot(x, subgroupShuffle(kc, 0u));
      s1 += dot(x, subgroupShuffle(kc, 1u));
      s2 += dot(x, subgroupShuffle(kc, 2u));
      s3 += dot(x, subgroupShuffle(kc, 3u));
      s4 += dot(x, subgroupShuffle(kc, 4u));
      s5 += dot(x, subgroupShuffle(kc, 5u));
      s6 += dot(x, subgroupShuffle(kc, 6u));
      s7 += dot(x, subgroupShuffle(kc, 7u));
    }
    let sa = vec4<f32>(s0, s1, s2, s3);
    let sb = vec4<f32>(s4, s5, s6, s7);
    let ka = vec4<f32>(subgroupShuffle(keep, 0u), subgroupShuffle(keep, 1u), subgroupShuffle(keep, 2u), subgroupShuffle(keep, 3u)) > vec4<f32>(0.0);
    let kz = vec4<f32>(subgroupShuffle(keep, 4u), subgroupShuffle(keep, 5u), subgroupShuffle(keep, 6u), subgroupShuffle(keep, 7u)) > vec4<f32>(0.0);
    // Online softmax over the kept keys of the block.
    let mx = max(select(vec4<f32>(NEG_BIG), sa, ka), select(vec4<f32>(NEG_BIG), sb, kz));
    let mb = max(m, max(max(mx.x, mx.y), max(mx.z, mx.w)));
    let alpha = exp(m - mb);
    let pa = select(vec4<f32>(0.0), exp(sa - mb), ka);
    let pb = select(vec4<f32>(0.0), exp(sb - mb), kz);
    l = l * alpha + hsum(pa) + hsum(pb);
    for (var c = 0u; c < D4; c++) {
      let vc = ld(2u, kbase, c);
      acc[c] = acc[c] * alpha
        + pa.x * subgroupShuffle(vc, 0u) + pa.y * subgroupShuffle(vc, 1u)
        + pa.z * subgroupShuffle(vc, 2u) + pa.w * subgroupShuffle(vc, 3u)
        + pb.x * subgroupShuffle(vc, 4u) + pb.y * subgroupShuffle(vc, 5u)
        + pb.z * subgroupShuffle(vc, 6u) + pb.w * subgroupShuffle(vc, 7u);
    }
    m = mb;
  }

  if (row < p.T) {
    let inv = select(0.0, 1.0 / l, l > 0.0);
    for (var c = 0u; c < D4; c++) {
      if (c < p.d4) { out[qbase + c] = acc[c] * inv; }
    }
    lse[(b * p.H + h) * p.T + row] = select(bitcast<f32>(INF_BITS), m + log(l), l > 0.0);
  }
}
