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
// Bindings (0-4 from attention_sg_io.wgsl, prepended by the launcher; contiguous, read as vec4):
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

const NEG_BIG: f32 = -3.0e38;              // finite stand-in for -inf
var<private> INF_BITS: u32 = 0x7f800000u;  // +inf, written as bits only

@group(0) @binding(5) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

@compute @workgroup_size(8)
fn main(@builtin(subgroup_invocation_id) lane: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.z;
  let h = wid.y;
  let row = wid.x * 8u + lane;
  let i = min(row, p.T - 1u);  // rows past T repeat the last one and are not written
  let qbase = row4(b, i, h);
  var qr: array<vec4<f32>, D4>;
  var acc: array<vec4<f32>, D4>;
  for (var c = 0u; c < D4; c++) { qr[c] = ld(&q, qbase, c) * p.scale; }

  var m = NEG_BIG;
  var l = 0.0;
  for (var kb = 0u; kb < p.T; kb += 8u) {
    let t = min(kb + lane, p.T - 1u);
    let kbase = row4(b, t, h);
    let keep = lanes8(select(0.0, 1.0, kb + lane < p.T && mask[b * p.T + t] != 0u));
    // Scores against keys kb..kb+7.
    var sc = zero8();
    for (var c = 0u; c < D4; c++) { sc = dot8(sc, qr[c], ld(&k, kbase, c)); }
    // Online softmax over the kept keys of the block.
    let ka = keep.lo > vec4<f32>(0.0);
    let kz = keep.hi > vec4<f32>(0.0);
    let mx = max(select(vec4<f32>(NEG_BIG), sc.lo, ka), select(vec4<f32>(NEG_BIG), sc.hi, kz));
    let mb = max(m, max(max(mx.x, mx.y), max(mx.z, mx.w)));
    let alpha = exp(m - mb);
    let pr = Lanes8(select(vec4<f32>(0.0), exp(sc.lo - mb), ka), select(vec4<f32>(0.0), exp(sc.hi - mb), kz));
    l = l * alpha + hsum(pr.lo) + hsum(pr.hi);
    // The output mixes the dropped probabilities; l stays the undropped sum.
    let pd = Lanes8(pr.lo * drop_keys4(b, h, i, kb), pr.hi * drop_keys4(b, h, i, kb + 4u));
    for (var c = 0u; c < D4; c++) { acc[c] = acc[c] * alpha + mix8(pd, ld(&v, kbase, c)); }
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
