// Fused multi-head attention, forward (FlashAttention-2 style online softmax).
//
//   out[b,i,h,:] = sum_j softmax_j(scale * q[b,i,h,:] . k[b,j,h,:]) v[b,j,h,:]   over keys with mask[b,j] != 0
//   lse[b,h,i]   = logsumexp_j(scale * q[b,i,h,:] . k[b,j,h,:])                  over the same keys
//
// The T x T score matrix never reaches global memory: keys are visited in blocks of BK; each
// query keeps a running maximum m and sum l of exp(s - m), and its unnormalised output row is
// rescaled by exp(m_old - m_new) whenever the maximum grows.
// A query whose keys are all padding (a fully padded sequence) gets out = 0 and lse = +inf, so a
// recomputation exp(s - lse) gives 0. Padding *queries* are ordinary rows: they attend to the
// kept keys and the caller ignores them.
//
// Bindings (contiguous, row-major; 0-4 and the key staging come from attention_io.wgsl and
// attention_stage_keys.wgsl, prepended by the launcher):
//   0 Params {B, T, H, D, scale, g, nb}   g = ceil(D / 16), nb = BK (see below)
//   1 q    f32 [B, T, H, D]   read
//   2 k    f32 [B, T, H, D]   read
//   3 v    f32 [B, T, H, D]   read
//   4 mask u32 [B, T]         read, 1 = real key, 0 = padding
//   5 out  f32 [B, T, H, D]   write
//   6 lse  f32 [B, H, T]      write
//
// Thread mapping: workgroup (x = query block, y = head, z = batch) of BQ threads; thread t owns
// query row x*BQ + t. Per key block the threads stage K and V rows (D zero-padded to 16g) in
// workgroup memory, then each thread
//   1. scores its row against 8 keys at a time (its q values against keys read by every thread
//      at the same address: broadcasts on GPUs, scalar loads on CPU SIMD back-ends like lavapipe),
//   2. turns the block's scores into probabilities with the online-softmax update,
//   3. adds P.V into its output row, kept in workgroup memory column-major ([4g][BQ] vec4) and
//      updated 16 columns at a time, so per-thread state stays small whatever D is.
// Loop bounds are uniforms (nb repeats BK) on purpose: with constant trip counts Mesa unrolls the
// loops, and a cold lavapipe compile of the unrolled code takes tens of seconds.

override BQ: u32 = 32u;   // query rows (= threads) per workgroup
override BK: u32 = 32u;   // keys per staged block, a multiple of 8
override GMAX: u32 = 4u;  // capacity in 16-column groups: D <= 16 * GMAX

const NEG_BIG: f32 = -3.0e38;  // finite stand-in for -inf (WGSL may assume no infinities)
var<private> INF_BITS: u32 = 0x7f800000u;  // +inf, written as bits only

@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

var<workgroup> os: array<vec4<f32>, GMAX * 4u * BQ>;  // [4g][BQ] output accumulators
var<workgroup> ps: array<f32, BK * BQ>;               // [BK][BQ] scores, then probabilities

@compute @workgroup_size(BQ)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.z;
  let h = wid.y;
  let row = wid.x * BQ + tid;
  let i = min(row, p.T - 1u);  // rows past T repeat the last one and are not written
  let qbase = row_base(b, i, h);
  let c4 = p.g * 4u;           // vec4 columns per staged row
  for (var c = 0u; c < c4; c++) { os[c * BQ + tid] = vec4<f32>(0.0); }

  var m = NEG_BIG;
  var l = 0.0;
  for (var kb = 0u; kb < p.T; kb += BK) {
    workgroupBarrier();  // the previous block is consumed
    stage_keys(b, h, kb, tid);
    workgroupBarrier();

    // 1. Scores, 8 keys per pass over the row.
    for (var j0 = 0u; j0 < p.nb; j0 += 8u) {
      var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;
      var s4 = 0.0; var s5 = 0.0; var s6 = 0.0; var s7 = 0.0;
      for (var c = 0u; c < c4; c++) {
        let x = ld4(&q, qbase, c * 4u);
        let r = j0 * c4 + c;
        s0 += dot(x, ks[r]);
        s1 += dot(x, ks[r + c4]);
        s2 += dot(x, ks[r + 2u * c4]);
        s3 += dot(x, ks[r + 3u * c4]);
        s4 += dot(x, ks[r + 4u * c4]);
        s5 += dot(x, ks[r + 5u * c4]);
        s6 += dot(x, ks[r + 6u * c4]);
        s7 += dot(x, ks[r + 7u * c4]);
      }
      let o = j0 * BQ + tid;
      ps[o] = s0 * p.scale;
      ps[o + BQ] = s1 * p.scale;
      ps[o + 2u * BQ] = s2 * p.scale;
      ps[o + 3u * BQ] = s3 * p.scale;
      ps[o + 4u * BQ] = s4 * p.scale;
      ps[o + 5u * BQ] = s5 * p.scale;
      ps[o + 6u * BQ] = s6 * p.scale;
      ps[o + 7u * BQ] = s7 * p.scale;
    }

    // 2. Online softmax: new maximum over the kept keys, probabilities, rescale factor.
    var mb = m;
    for (var j = 0u; j < p.nb; j++) {
      if (keep[j] != 0u) { mb = max(mb, ps[j * BQ + tid]); }
    }
    // alpha = 1 when the maximum did not grow; before any kept key l = 0 and alpha is irrelevant.
    let alpha = exp(m - mb);
    var lb = 0.0;
    for (var j = 0u; j < p.nb; j++) {
      let pj = select(0.0, exp(ps[j * BQ + tid] - mb), keep[j] != 0u);
      // The output mixes the dropped probabilities; l sums the undropped ones.
      ps[j * BQ + tid] = pj * drop_factor(b, h, i, min(kb + j, p.T - 1u));
      lb += pj;
    }
    l = l * alpha + lb;
    m = mb;

    // 3. out row += P row . V block, 16 columns at a time.
    for (var g = 0u; g < p.g; g++) {
      let c0 = g * 4u;
      var a0 = os[c0 * BQ + tid] * alpha;
      var a1 = os[(c0 + 1u) * BQ + tid] * alpha;
      var a2 = os[(c0 + 2u) * BQ + tid] * alpha;
      var a3 = os[(c0 + 3u) * BQ + tid] * alpha;
      for (var j = 0u; j < p.nb; j++) {
        let pj = ps[j * BQ + tid];
        let r = j * c4 + c0;
        a0 += pj * vs[r];
        a1 += pj * vs[r + 1u];
        a2 += pj * vs[r + 2u];
        a3 += pj * vs[r + 3u];
      }
      os[c0 * BQ + tid] = a0;
      os[(c0 + 1u) * BQ + tid] = a1;
      os[(c0 + 2u) * BQ + tid] = a2;
      os[(c0 + 3u) * BQ + tid] = a3;
    }
  }

  if (row < p.T) {
    let any = l > 0.0;
    let inv = select(0.0, 1.0 / l, any);
    for (var d = 0u; d < p.D; d++) {
      out[qbase + d] = os[(d / 4u) * BQ + tid][d % 4u] * inv;
    }
    lse[(b * p.H + h) * p.T + row] = select(bitcast<f32>(INF_BITS), m + log(l), any);
  }
}
