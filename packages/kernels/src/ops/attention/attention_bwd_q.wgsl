// Attention backward, step 2: gradient with respect to the queries.
//
//   P_ij  = exp(scale * q_i . k_j - lse_i)            (recomputed; kept keys only)
//   dS_ij = P_ij * (dout_i . v_j - delta_i)
//   dq_i  = scale * sum_j dS_ij k_j
//
// Each dq row belongs to one thread and is summed over the keys in a fixed order: no atomics,
// deterministic. A query without kept keys gets dq = 0.
//
// Bindings (0-4 and the key staging come from attention_io.wgsl and attention_stage_keys.wgsl,
// prepended by the launcher):
//   0 Params {B, T, H, D, scale, g, nb}   g = ceil(D / 16), nb = BK (a uniform loop bound)
//   1 q       f32 [B, T, H, D]   read
//   2 k       f32 [B, T, H, D]   read
//   3 v       f32 [B, T, H, D]   read
//   4 mask    u32 [B, T]         read, 1 = real key
//   5 dout    f32 [B, T, H, D]   read
//   6 rowstat vec2<f32> [B, H, T] read: (lse, delta) from attention_bwd_pre
//   7 dq      f32 [B, T, H, D]   write
//
// Thread mapping as in attention_fwd: workgroup (x = query block, y = head, z = batch) of BQ
// threads, thread t owns query row x*BQ + t. Per staged block of BK keys (K and V rows in
// workgroup memory) each thread computes dS for 4 keys at a time (its q and dout values against
// broadcast key and value rows), then adds dS.K into its dq row, which lives in workgroup memory
// column-major ([4g][BQ] vec4) and is updated 16 columns at a time. Loop bounds are uniforms so
// that Mesa does not unroll them (see attention_fwd).

override BQ: u32 = 32u;
override BK: u32 = 32u;   // a multiple of 4
override GMAX: u32 = 4u;  // D <= 16 * GMAX

@group(0) @binding(5) var<storage, read> dout: array<f32>;
@group(0) @binding(6) var<storage, read> rowstat: array<vec2<f32>>;
@group(0) @binding(7) var<storage, read_write> dq: array<f32>;

var<workgroup> dqs: array<vec4<f32>, GMAX * 4u * BQ>;  // [4g][BQ] dq accumulators
var<workgroup> ds: array<f32, BK * BQ>;                // [BK][BQ] scale*s - lse, then dS
var<workgroup> dp: array<f32, BK * BQ>;                // [BK][BQ] dout . v

@compute @workgroup_size(BQ)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.z;
  let h = wid.y;
  let row = wid.x * BQ + tid;
  let i = min(row, p.T - 1u);
  let qbase = row_base(b, i, h);
  let c4 = p.g * 4u;
  let st = rowstat[(b * p.H + h) * p.T + i];
  for (var c = 0u; c < c4; c++) { dqs[c * BQ + tid] = vec4<f32>(0.0); }

  for (var kb = 0u; kb < p.T; kb += BK) {
    workgroupBarrier();
    stage_keys(b, h, kb, tid);
    workgroupBarrier();

    // s = q . k and dp = dout . v for 4 keys per pass over the row (4, not 8: half the code and a
    // much faster cold compile on lavapipe, for a few percent of run time).
    for (var j0 = 0u; j0 < p.nb; j0 += 4u) {
      var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;
      var t0 = 0.0; var t1 = 0.0; var t2 = 0.0; var t3 = 0.0;
      for (var c = 0u; c < c4; c++) {
        let x = ld4(&q, qbase, c * 4u);
        let y = ld4(&dout, qbase, c * 4u);
        let r = j0 * c4 + c;
        s0 += dot(x, ks[r]);
        s1 += dot(x, ks[r + c4]);
        s2 += dot(x, ks[r + 2u * c4]);
        s3 += dot(x, ks[r + 3u * c4]);
        t0 += dot(y, vs[r]);
        t1 += dot(y, vs[r + c4]);
        t2 += dot(y, vs[r + 2u * c4]);
        t3 += dot(y, vs[r + 3u * c4]);
      }
      let o = j0 * BQ + tid;
      ds[o] = s0 * p.scale - st.x;
      ds[o + BQ] = s1 * p.scale - st.x;
      ds[o + 2u * BQ] = s2 * p.scale - st.x;
      ds[o + 3u * BQ] = s3 * p.scale - st.x;
      dp[o] = t0;
      dp[o + BQ] = t1;
      dp[o + 2u * BQ] = t2;
      dp[o + 3u * BQ] = t3;
    }
    // P = exp(scale*s - lse) on kept keys, dS = P * (dp - delta).
    for (var j = 0u; j < p.nb; j++) {
      let o = j * BQ + tid;
      let pj = select(0.0, exp(ds[o]), keep[j] != 0u);
      // With dropout dP_ij = drop_ij * (dout_i . v_j); delta = dout_i . out_i is unchanged.
      ds[o] = pj * (dp[o] * drop_factor(b, h, i, min(kb + j, p.T - 1u)) - st.y);
    }

    // dq row += dS row . K block, 16 columns at a time.
    for (var g = 0u; g < p.g; g++) {
      let c0 = g * 4u;
      var a0 = dqs[c0 * BQ + tid];
      var a1 = dqs[(c0 + 1u) * BQ + tid];
      var a2 = dqs[(c0 + 2u) * BQ + tid];
      var a3 = dqs[(c0 + 3u) * BQ + tid];
      for (var j = 0u; j < p.nb; j++) {
        let dj = ds[j * BQ + tid];
        let r = j * c4 + c0;
        a0 += dj * ks[r];
        a1 += dj * ks[r + 1u];
        a2 += dj * ks[r + 2u];
        a3 += dj * ks[r + 3u];
      }
      dqs[c0 * BQ + tid] = a0;
      dqs[(c0 + 1u) * BQ + tid] = a1;
      dqs[(c0 + 2u) * BQ + tid] = a2;
      dqs[(c0 + 3u) * BQ + tid] = a3;
    }
  }

  if (row < p.T) {
    for (var d = 0u; d < p.D; d++) {
      dq[qbase + d] = dqs[(d / 4u) * BQ + tid][d % 4u] * p.scale;
    }
  }
}
