// Fused multi-head attention, forward (FlashAttention-2 style online softmax).
//
//   out[b,i,h,:] = sum_j softmax_j(scale * q[b,i,h,:] . k[b,j,h,:] over keys with mask[b,j] != 0) v[b,j,h,:]
//   lse[b,h,i]   = logsumexp_j(scale * q . k) over the kept keys
//
// The T x T score matrix never leaves the workgroup: keys are visited in blocks of BK, each
// query keeps a running maximum m, a running sum l of exp(s - m) and an unnormalised output
// accumulator, rescaled by exp(m_old - m_new) whenever the maximum grows.
// A query whose keys are all padding (a fully padded sequence) gets out = 0 and lse = +inf, so
// that exp(s - lse) = 0 for any recomputation in the backward pass. Padding *queries* are
// ordinary rows (they attend to the kept keys); callers ignore them.
//
// Bindings (all contiguous row-major):
//   0 Params {B, T, H, D, scale}
//   1 q    f32 [B, T, H, D]        read
//   2 k    f32 [B, T, H, D]        read
//   3 v    f32 [B, T, H, D]        read
//   4 mask u32 [B, T]              read, 1 = real key, 0 = padding
//   5 out  f32 [B, T, H, D]        write
//   6 lse  f32 [B, H, T]           write
//
// Thread mapping: workgroup (x = query block, y = head, z = batch) of BQ threads; thread t owns
// query row x*BQ + t and keeps q (pre-scaled) and its output accumulator in registers as D4 = ceil(D/4)
// vec4s. The BQ threads copy each key/value block (BK rows, zero-padded to D4*4 columns) into
// workgroup memory; every thread then reads the same key element at the same time (a broadcast,
// conflict-free on GPUs and a scalar load on CPU SIMD back-ends such as lavapipe).

override BQ: u32 = 32u;  // queries (= threads) per workgroup
override BK: u32 = 32u;  // keys per block, <= MAX_BK
override D4: u32 = 16u;  // ceil(D / 4), <= MAX_D4

const MAX_BK: u32 = 64u;
const MAX_D4: u32 = 32u;  // D <= 128
const NEG_BIG: f32 = -3.0e38;  // finite "minus infinity": WGSL may assume no infinities in arithmetic
// +inf as bits; a private variable so the bitcast happens at run time (a constant infinity is a
// shader-creation error).
var<private> INF_BITS: u32 = 0x7f800000u;

struct Params { B: u32, T: u32, H: u32, D: u32, scale: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

var<workgroup> ks: array<vec4<f32>, BK * D4>;
var<workgroup> vs: array<vec4<f32>, BK * D4>;
var<workgroup> keep: array<u32, BK>;

// Offset of element (b, t, h, 0) in a [B, T, H, D] tensor.
fn row_base(b: u32, t: u32, h: u32) -> u32 {
  return ((b * p.T + t) * p.H + h) * p.D;
}

@compute @workgroup_size(BQ)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.z;
  let h = wid.y;
  let i = wid.x * BQ + tid;
  let row_ok = i < p.T;

  var qr: array<vec4<f32>, MAX_D4>;
  var acc: array<vec4<f32>, MAX_D4>;
  if (row_ok) {
    let base = row_base(b, i, h);
    for (var c = 0u; c < D4; c++) {
      var x = vec4<f32>(0.0);
      for (var e = 0u; e < 4u; e++) {
        let d = c * 4u + e;
        if (d < p.D) { x[e] = q[base + d]; }
      }
      qr[c] = x * p.scale;
    }
  }

  var m = NEG_BIG;
  var l = 0.0;
  var s: array<f32, MAX_BK>;
  for (var kb = 0u; kb < p.T; kb += BK) {
    workgroupBarrier();  // everyone is done with the previous block
    for (var idx = tid; idx < BK * D4; idx += BQ) {
      let j = idx / D4;
      let c = idx % D4;
      let t = kb + j;
      var kx = vec4<f32>(0.0);
      var vx = vec4<f32>(0.0);
      if (t < p.T) {
        let base = row_base(b, t, h);
        for (var e = 0u; e < 4u; e++) {
          let d = c * 4u + e;
          if (d < p.D) {
            kx[e] = k[base + d];
            vx[e] = v[base + d];
          }
        }
      }
      ks[idx] = kx;
      vs[idx] = vx;
    }
    for (var j = tid; j < BK; j += BQ) {
      let t = kb + j;
      keep[j] = select(0u, 1u, t < p.T && mask[b * p.T + t] != 0u);
    }
    workgroupBarrier();

    // Scores of this block and their maximum.
    var mb = m;
    for (var j = 0u; j < BK; j++) {
      if (keep[j] != 0u) {
        var d4 = vec4<f32>(0.0);
        for (var c = 0u; c < D4; c++) { d4 += qr[c] * ks[j * D4 + c]; }
        let sj = d4.x + d4.y + d4.z + d4.w;
        s[j] = sj;
        mb = max(mb, sj);
      }
    }
    // Rescale what was accumulated under the old maximum (alpha = 1 when it did not grow; when
    // nothing was accumulated yet l and acc are 0 and alpha = exp(NEG_BIG - mb) = 0 is harmless).
    let alpha = exp(m - mb);
    l *= alpha;
    for (var c = 0u; c < D4; c++) { acc[c] *= alpha; }
    for (var j = 0u; j < BK; j++) {
      if (keep[j] != 0u) {
        let pj = exp(s[j] - mb);
        l += pj;
        for (var c = 0u; c < D4; c++) { acc[c] += pj * vs[j * D4 + c]; }
      }
    }
    m = mb;
  }

  if (row_ok) {
    let any = l > 0.0;
    let inv = select(0.0, 1.0 / l, any);
    let base = row_base(b, i, h);
    for (var c = 0u; c < D4; c++) {
      let y = acc[c] * inv;
      for (var e = 0u; e < 4u; e++) {
        let d = c * 4u + e;
        if (d < p.D) { out[base + d] = y[e]; }
      }
    }
    // +inf (written as bits: no infinity is ever computed) marks a row without keys.
    lse[(b * p.H + h) * p.T + i] = select(bitcast<f32>(INF_BITS), m + log(l), any);
  }
}
