// Attention backward, step 3: gradients with respect to the keys and values.
//
//   P_ij  = exp(scale * q_i . k_j - lse_i)            (recomputed)
//   dv_j  = sum_i P_ij dout_i
//   dS_ij = P_ij * (dout_i . v_j - delta_i)
//   dk_j  = scale * sum_i dS_ij q_i
//
// Each key row belongs to one thread that sums over all queries in a fixed order: no atomics,
// deterministic. Padding keys (mask 0) get dk = dv = 0.
//
// Bindings (0-4 come from attention_io.wgsl, prepended by the launcher):
//   0 Params {B, T, H, D, scale, g, nb}   g = ceil(D / 16), nb = BQ (a uniform loop bound, so
//     Mesa does not unroll the loops; see attention_fwd)
//   1 q       f32 [B, T, H, D]   read
//   2 k       f32 [B, T, H, D]   read
//   3 v       f32 [B, T, H, D]   read
//   4 mask    u32 [B, T]         read, 1 = real key
//   5 dout    f32 [B, T, H, D]   read
//   6 rowstat vec2<f32> [B, H, T] read: (lse, delta) from attention_bwd_pre (lse finite)
//   7 dk      f32 [B, T, H, D]   write
//   8 dv      f32 [B, T, H, D]   write
//
// Thread mapping: workgroup (x = key block, y = head, z = batch) of BK threads, thread t owns
// key row x*BK + t. Per staged block of BQ queries (scale*q rows, dout rows, lse and delta in
// workgroup memory) each thread computes P and dS for 4 queries at a time (its k and v values
// against broadcast query rows), then adds P^T.dout and dS^T.(scale q) into its dv and dk rows,
// kept in workgroup memory column-major ([4g][BK] vec4) and updated 16 columns at a time.
// Queries past T are staged with lse = 3e38, so their P is exactly 0.

override BK: u32 = 32u;   // keys (= threads) per workgroup
override BQ: u32 = 16u;   // queries per staged block, a multiple of 4
override GMAX: u32 = 4u;  // D <= 16 * GMAX

@group(0) @binding(5) var<storage, read> dout: array<f32>;
@group(0) @binding(6) var<storage, read> rowstat: array<vec2<f32>>;
@group(0) @binding(7) var<storage, read_write> dk: array<f32>;
@group(0) @binding(8) var<storage, read_write> dv: array<f32>;

var<workgroup> qs: array<vec4<f32>, BQ * GMAX * 4u>;   // [BQ][4g] scale * q rows
var<workgroup> gs: array<vec4<f32>, BQ * GMAX * 4u>;   // [BQ][4g] dout rows
var<workgroup> dks: array<vec4<f32>, GMAX * 4u * BK>;  // [4g][BK] dk accumulators
var<workgroup> dvs: array<vec4<f32>, GMAX * 4u * BK>;  // [4g][BK] dv accumulators
var<workgroup> pt: array<f32, BQ * BK>;                // [BQ][BK] s - lse, then P
var<workgroup> dst: array<f32, BQ * BK>;               // [BQ][BK] dout . v, then dS
var<workgroup> st: array<vec2<f32>, BQ>;               // (lse, delta) of the staged queries

@compute @workgroup_size(BK)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.z;
  let h = wid.y;
  let row = wid.x * BK + tid;
  let j = min(row, p.T - 1u);
  let kbase = row_base(b, j, h);
  let kept = row < p.T && mask[b * p.T + j] != 0u;
  let c4 = p.g * 4u;
  for (var c = 0u; c < c4; c++) {
    dks[c * BK + tid] = vec4<f32>(0.0);
    dvs[c * BK + tid] = vec4<f32>(0.0);
  }

  for (var qb = 0u; qb < p.T; qb += BQ) {
    workgroupBarrier();
    for (var idx = tid; idx < BQ * c4; idx += BK) {
      let base = row_base(b, min(qb + idx / c4, p.T - 1u), h);
      let d0 = (idx % c4) * 4u;
      qs[idx] = ld4(&q, base, d0) * p.scale;
      gs[idx] = ld4(&dout, base, d0);
    }
    for (var r = tid; r < BQ; r += BK) {
      let t = qb + r;
      let s = rowstat[(b * p.H + h) * p.T + min(t, p.T - 1u)];
      st[r] = select(vec2<f32>(3.0e38, 0.0), s, t < p.T);
    }
    workgroupBarrier();

    // s = (scale q) . k and dp = dout . v for 4 queries per pass over the key row (4, not 8:
    // half the code and a much faster cold compile on lavapipe, for a few percent of run time).
    for (var r0 = 0u; r0 < p.nb; r0 += 4u) {
      var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;
      var t0 = 0.0; var t1 = 0.0; var t2 = 0.0; var t3 = 0.0;
      for (var c = 0u; c < c4; c++) {
        let x = ld4(&k, kbase, c * 4u);
        let y = ld4(&v, kbase, c * 4u);
        let r = r0 * c4 + c;
        s0 += dot(x, qs[r]);
        s1 += dot(x, qs[r + c4]);
        s2 += dot(x, qs[r + 2u * c4]);
        s3 += dot(x, qs[r + 3u * c4]);
        t0 += dot(y, gs[r]);
        t1 += dot(y, gs[r + c4]);
        t2 += dot(y, gs[r + 2u * c4]);
        t3 += dot(y, gs[r + 3u * c4]);
      }
      let o = r0 * BK + tid;
      pt[o] = s0;
      pt[o + BK] = s1;
      pt[o + 2u * BK] = s2;
      pt[o + 3u * BK] = s3;
      dst[o] = t0;
      dst[o + BK] = t1;
      dst[o + 2u * BK] = t2;
      dst[o + 3u * BK] = t3;
    }
    // P = exp(s - lse) (0 for a padding key), dS = P * (dp - delta).
    for (var r = 0u; r < p.nb; r++) {
      let o = r * BK + tid;
      let sr = st[r];
      let pr = select(0.0, exp(pt[o] - sr.x), kept);
      // With dropout: dv mixes the dropped probabilities, and dP = drop * (dout . v).
      let dr = drop_factor(b, h, min(qb + r, p.T - 1u), j);
      pt[o] = pr * dr;
      dst[o] = pr * (dst[o] * dr - sr.y);
    }

    // dv row += P^T . dout block and dk row += dS^T . (scale q) block, 16 columns at a time.
    for (var g = 0u; g < p.g; g++) {
      let c0 = g * 4u;
      var v0 = dvs[c0 * BK + tid];
      var v1 = dvs[(c0 + 1u) * BK + tid];
      var v2 = dvs[(c0 + 2u) * BK + tid];
      var v3 = dvs[(c0 + 3u) * BK + tid];
      var k0 = dks[c0 * BK + tid];
      var k1 = dks[(c0 + 1u) * BK + tid];
      var k2 = dks[(c0 + 2u) * BK + tid];
      var k3 = dks[(c0 + 3u) * BK + tid];
      for (var r = 0u; r < p.nb; r++) {
        let pa = pt[r * BK + tid];
        let da = dst[r * BK + tid];
        let o = r * c4 + c0;
        v0 += pa * gs[o];
        v1 += pa * gs[o + 1u];
        v2 += pa * gs[o + 2u];
        v3 += pa * gs[o + 3u];
        k0 += da * qs[o];
        k1 += da * qs[o + 1u];
        k2 += da * qs[o + 2u];
        k3 += da * qs[o + 3u];
      }
      dvs[c0 * BK + tid] = v0;
      dvs[(c0 + 1u) * BK + tid] = v1;
      dvs[(c0 + 2u) * BK + tid] = v2;
      dvs[(c0 + 3u) * BK + tid] = v3;
      dks[c0 * BK + tid] = k0;
      dks[(c0 + 1u) * BK + tid] = k1;
      dks[(c0 + 2u) * BK + tid] = k2;
      dks[(c0 + 3u) * BK + tid] = k3;
    }
  }

  if (row < p.T) {
    for (var d = 0u; d < p.D; d++) {
      dk[kbase + d] = dks[(d / 4u) * BK + tid][d % 4u];
      dv[kbase + d] = dvs[(d / 4u) * BK + tid][d % 4u];
    }
  }
}
