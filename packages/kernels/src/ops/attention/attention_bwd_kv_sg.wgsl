// Attention backward, step 3, subgroup variant for 8-wide subgroups (lavapipe): dk and dv,
// exactly as attention_bwd_kv.wgsl computes them (why a second kernel: see attention_fwd_sg.wgsl).
//
//   P_ij = exp(scale * q_i . k_j - lse_i),   dv_j = sum_i P_ij dout_i
//   dS_ij = P_ij (dout_i . v_j - delta_i),   dk_j = scale * sum_i dS_ij q_i
//
// Bindings (0-4 from attention_sg_io.wgsl, prepended by the launcher; contiguous, read as vec4; D a multiple of 4):
//   0 Params {B, T, H, D, scale, d4}     d4 = D / 4
//   1 q       vec4<f32> [B, T, H, D/4]   read
//   2 k       vec4<f32> [B, T, H, D/4]   read
//   3 v       vec4<f32> [B, T, H, D/4]   read
//   4 mask    u32 [B, T]                 read, 1 = real key
//   5 dout    vec4<f32> [B, T, H, D/4]   read
//   6 rowstat vec2<f32> [B, H, T]        read: (lse, delta) from attention_bwd_pre (lse finite)
//   7 dk      vec4<f32> [B, T, H, D/4]   write
//   8 dv      vec4<f32> [B, T, H, D/4]   write
//
// Thread mapping: one subgroup (= workgroup) of 8 lanes per (8 keys, head, batch); lane l owns
// key row 8x + l with dk and dv in registers (D4 vec4 each; its k and v are read per block). Queries go by in blocks of
// 8: lane i reads query row 8qb + i (scale*q and dout, one vec4 at a time, and its (lse, delta))
// and the values reach every lane by subgroupShuffle; each dk, dv row is summed over the queries
// in a fixed order (deterministic). Padding keys get P = 0, hence dk = dv = 0; queries past T
// get lse = 3e38, hence P = 0.

@group(0) @binding(5) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> rowstat: array<vec2<f32>>;
@group(0) @binding(7) var<storage, read_write> dk: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> dv: array<vec4<f32>>;

@compute @workgroup_size(8)
fn main(@builtin(subgroup_invocation_id) lane: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.z;
  let h = wid.y;
  let row = wid.x * 8u + lane;
  let j = min(row, p.T - 1u);
  let kbase = row4(b, j, h);
  let kept = row < p.T && mask[b * p.T + j] != 0u;
  var dka: array<vec4<f32>, D4>;
  var dva: array<vec4<f32>, D4>;

  for (var qb = 0u; qb < p.T; qb += 8u) {
    let t = min(qb + lane, p.T - 1u);
    let qbase = row4(b, t, h);
    let sr = select(vec2<f32>(3.0e38, 0.0), rowstat[(b * p.H + h) * p.T + t], qb + lane < p.T);
    // s = k . (scale q_i) and dp = v . dout_i for queries qb..qb+7 (the lane's own k and v
    // chunks are read again per block: holding them too makes Mesa's compile several times slower).
    var sc = zero8();
    var dp = zero8();
    for (var c = 0u; c < D4; c++) {
      sc = dot8(sc, ld(&k, kbase, c), ld(&q, qbase, c) * p.scale);
      dp = dot8(dp, ld(&v, kbase, c), ld(&dout, qbase, c));
    }
    let lse = lanes8(sr.x);
    let delta = lanes8(sr.y);
    let pr = Lanes8(select(vec4<f32>(0.0), exp(sc.lo - lse.lo), kept), select(vec4<f32>(0.0), exp(sc.hi - lse.hi), kept));
    // With dropout: dv mixes the dropped probabilities, and dP_ij = drop_ij * (dout_i . v_j).
    let dlo = drop_queries4(b, h, qb, j);
    let dhi = drop_queries4(b, h, qb + 4u, j);
    let pd = Lanes8(pr.lo * dlo, pr.hi * dhi);
    let ds = Lanes8(pr.lo * (dp.lo * dlo - delta.lo), pr.hi * (dp.hi * dhi - delta.hi));
    // dv += P^T dout block, dk += dS^T (scale q) block (chunks read again: fewer live registers).
    for (var c = 0u; c < D4; c++) {
      dva[c] += mix8(pd, ld(&dout, qbase, c));
      dka[c] += mix8(ds, ld(&q, qbase, c) * p.scale);
    }
  }

  if (row < p.T) {
    for (var c = 0u; c < D4; c++) {
      if (c < p.d4) {
        dk[kbase + c] = dka[c];
        dv[kbase + c] = dva[c];
      }
    }
  }
}
