// Attention backward, step 2, subgroup variant for 8-wide subgroups (lavapipe): dq, exactly as
// attention_bwd_q.wgsl computes it (why a second kernel: see attention_fwd_sg.wgsl).
//
//   P_ij  = exp(scale * q_i . k_j - lse_i)   (kept keys only),   dS_ij = P_ij (dout_i . v_j - delta_i)
//   dq_i  = scale * sum_j dS_ij k_j
//
// Bindings (0-4 from attention_sg_io.wgsl, prepended by the launcher; contiguous, read as vec4; D a multiple of 4):
//   0 Params {B, T, H, D, scale, d4}     d4 = D / 4
//   1 q       vec4<f32> [B, T, H, D/4]   read
//   2 k       vec4<f32> [B, T, H, D/4]   read
//   3 v       vec4<f32> [B, T, H, D/4]   read
//   4 mask    u32 [B, T]                 read, 1 = real key
//   5 dout    vec4<f32> [B, T, H, D/4]   read
//   6 rowstat vec2<f32> [B, H, T]        read: (lse, delta) from attention_bwd_pre (lse finite)
//   7 dq      vec4<f32> [B, T, H, D/4]   write
//
// Thread mapping: one subgroup (= workgroup) of 8 lanes per (8 queries, head, batch); lane l
// owns query row 8x + l with dq in registers (D4 vec4; its q and dout are read per block). Keys go
// by in blocks of 8: lane j reads key (and value) row 8kb + j one vec4 at a time and the chunk
// reaches every lane by subgroupShuffle; each dq row is summed over the keys in a fixed order
// (deterministic, no atomics).

@group(0) @binding(5) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> rowstat: array<vec2<f32>>;
@group(0) @binding(7) var<storage, read_write> dq: array<vec4<f32>>;

@compute @workgroup_size(8)
fn main(@builtin(subgroup_invocation_id) lane: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.z;
  let h = wid.y;
  let row = wid.x * 8u + lane;
  let i = min(row, p.T - 1u);
  let qbase = row4(b, i, h);
  let st = rowstat[(b * p.H + h) * p.T + i];
  var acc: array<vec4<f32>, D4>;

  for (var kb = 0u; kb < p.T; kb += 8u) {
    let t = min(kb + lane, p.T - 1u);
    let kbase = row4(b, t, h);
    let keep = lanes8(select(0.0, 1.0, kb + lane < p.T && mask[b * p.T + t] != 0u));
    // s = (scale q) . k_j and dp = dout . v_j for keys kb..kb+7 (the lane's own q and dout
    // chunks are read again per block: holding them too makes Mesa's compile several times slower).
    var sc = zero8();
    var dp = zero8();
    for (var c = 0u; c < D4; c++) {
      sc = dot8(sc, ld(&q, qbase, c) * p.scale, ld(&k, kbase, c));
      dp = dot8(dp, ld(&dout, qbase, c), ld(&v, kbase, c));
    }
    let pa = select(vec4<f32>(0.0), exp(sc.lo - st.x), keep.lo > vec4<f32>(0.0));
    let pb = select(vec4<f32>(0.0), exp(sc.hi - st.x), keep.hi > vec4<f32>(0.0));
    // With dropout dP_ij = drop_ij * (dout_i . v_j); delta = dout_i . out_i is unchanged.
    let ds = Lanes8(pa * (dp.lo * drop_keys4(b, h, i, kb) - st.y), pb * (dp.hi * drop_keys4(b, h, i, kb + 4u) - st.y));
    // dq += dS . K block (the key chunks are read again rather than kept: fewer live registers).
    for (var c = 0u; c < D4; c++) { acc[c] += mix8(ds, ld(&k, kbase, c)); }
  }

  if (row < p.T) {
    for (var c = 0u; c < D4; c++) {
      if (c < p.d4) { dq[qbase + c] = acc[c] * p.scale; }
    }
  }
}
