enable subgroups;

// Attention backward, step 3, subgroup variant for 8-wide subgroups (lavapipe): dk and dv,
// exactly as attention_bwd_kv.wgsl computes them (why a second kernel: see attention_fwd_sg.wgsl).
//
//   P_ij = exp(scale * q_i . k_j - lse_i),   dv_j = sum_i P_ij dout_i
//   dS_ij = P_ij (dout_i . v_j - delta_i),   dk_j = scale * sum_i dS_ij q_i
//
// Bindings (contiguous, read as vec4; D a multiple of 4):
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

// vec4 capacity of a row (D <= 64). A constant, not an override: one pipeline for every D, and
// the loops over it are unrolled so that rows stay in registers.
const D4: u32 = 16u;

struct Params { B: u32, T: u32, H: u32, D: u32, scale: f32, d4: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;
@group(0) @binding(5) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> rowstat: array<vec2<f32>>;
@group(0) @binding(7) var<storage, read_write> dk: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> dv: array<vec4<f32>>;

fn row4(b: u32, t: u32, h: u32) -> u32 {
  return ((b * p.T + t) * p.H + h) * p.d4;
}

// Chunk c of a row, zero past D.
fn ld(buf: u32, base: u32, c: u32) -> vec4<f32> {
  let i = base + min(c, p.d4 - 1u);
  var x: vec4<f32>;
  if (buf == 0u) { x = q[i]; } else if (buf == 1u) { x = k[i]; } else if (buf == 2u) { x = v[i]; } else { x = dout[i]; }
  return select(vec4<f32>(0.0), x, c < p.d4);
}

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
    // s = k . (scale q_i) and dp = v . dout_i for queries qb..qb+7.
    var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;
    var s4 = 0.0; var s5 = 0.0; var s6 = 0.0; var s7 = 0.0;
    var t0 = 0.0; var t1 = 0.0; var t2 = 0.0; var t3 = 0.0;
    var t4 = 0.0; var t5 = 0.0; var t6 = 0.0; var t7 = 0.0;
    for (var c = 0u; c < D4; c++) {
      let qc = ld(0u, qbase, c) * p.scale;
      let gc = ld(3u, qbase, c);
      let x = ld(1u, kbase, c);  // the lane's own k and v chunks, read again per block: holding
      let y = ld(2u, kbase, c);  // them too makes Mesa's compile of this kernel several times slower
      s0 += dot(x, subgroupShuffle(qc, 0u)); t0 += dot(y, subgroupShuffle(gc, 0u));
      s1 += dot(x, subgroupShuffle(qc, 1u)); t1 += dot(y, subgroupShuffle(gc, 1u));
      s2 += dot(x, subgroupShuffle(qc, 2u)); t2 += dot(y, subgroupShuffle(gc, 2u));
      s3 += dot(x, subgroupShuffle(qc, 3u)); t3 += dot(y, subgroupShuffle(gc, 3u));
      s4 += dot(x, subgroupShuffle(qc, 4u)); t4 += dot(y, subgroupShuffle(gc, 4u));
      s5 += dot(x, subgroupShuffle(qc, 5u)); t5 += dot(y, subgroupShuffle(gc, 5u));
      s6 += dot(x, subgroupShuffle(qc, 6u)); t6 += dot(y, subgroupShuffle(gc, 6u));
      s7 += dot(x, subgroupShuffle(qc, 7u)); t7 += dot(y, subgroupShuffle(gc, 7u));
    }
    let lse_a = vec4<f32>(subgroupShuffle(sr.x, 0u), subgroupShuffle(sr.x, 1u), subgroupShuffle(sr.x, 2u), subgroupShuffle(sr.x, 3u));
    let lse_b = vec4<f32>(subgroupShuffle(sr.x, 4u), subgroupShuffle(sr.x, 5u), subgroupShuffle(sr.x, 6u), subgroupShuffle(sr.x, 7u));
    let del_a = vec4<f32>(subgroupShuffle(sr.y, 0u), subgroupShuffle(sr.y, 1u), subgroupShuffle(sr.y, 2u), subgroupShuffle(sr.y, 3u));
    let del_b = vec4<f32>(subgroupShuffle(sr.y, 4u), subgroupShuffle(sr.y, 5u), subgroupShuffle(sr.y, 6u), subgroupShuffle(sr.y, 7u));
    let pa = select(vec4<f32>(0.0), exp(vec4<f32>(s0, s1, s2, s3) - lse_a), kept);
    let pb = select(vec4<f32>(0.0), exp(vec4<f32>(s4, s5, s6, s7) - lse_b), kept);
    let da = pa * (vec4<f32>(t0, t1, t2, t3) - del_a);
    let db = pb * (vec4<f32>(t4, t5, t6, t7) - del_b);
    // dv += P^T dout block, dk += dS^T (scale q) block (chunks read again: fewer live registers).
    for (var c = 0u; c < D4; c++) {
      let qc = ld(0u, qbase, c) * p.scale;
      let gc = ld(3u, qbase, c);
      dva[c] += pa.x * subgroupShuffle(gc, 0u) + pa.y * subgroupShuffle(gc, 1u)
        + pa.z * subgroupShuffle(gc, 2u) + pa.w * subgroupShuffle(gc, 3u)
        + pb.x * subgroupShuffle(gc, 4u) + pb.y * subgroupShuffle(gc, 5u)
        + pb.z * subgroupShuffle(gc, 6u) + pb.w * subgroupShuffle(gc, 7u);
      dka[c] += da.x * subgroupShuffle(qc, 0u) + da.y * subgroupShuffle(qc, 1u)
        + da.z * subgroupShuffle(qc, 2u) + da.w * subgroupShuffle(qc, 3u)
        + db.x * subgroupShuffle(qc, 4u) + db.y * subgroupShuffle(qc, 5u)
        + db.z * subgroupShuffle(qc, 6u) + db.w * subgroupShuffle(qc, 7u);
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
