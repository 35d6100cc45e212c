enable subgroups;

// Attention backward, step 2, subgroup variant for 8-wide subgroups (lavapipe): dq, exactly as
// attention_bwd_q.wgsl computes it (why a second kernel: see attention_fwd_sg.wgsl).
//
//   P_ij  = exp(scale * q_i . k_j - lse_i)   (kept keys only),   dS_ij = P_ij (dout_i . v_j - delta_i)
//   dq_i  = scale * sum_j dS_ij k_j
//
// Bindings (contiguous, read as vec4; D a multiple of 4):
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
@group(0) @binding(7) var<storage, read_write> dq: array<vec4<f32>>;

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
  let i = min(row, p.T - 1u);
  let qbase = row4(b, i, h);
  let st = rowstat[(b * p.H + h) * p.T + i];
  var acc: array<vec4<f32>, D4>;

  for (var kb = 0u; kb < p.T; kb += 8u) {
    let t = min(kb + lane, p.T - 1u);
    let kbase = row4(b, t, h);
    let keep = select(0.0, 1.0, kb + lane < p.T && mask[b * p.T + t] != 0u);
    // s = (scale q) . k_j and dp = dout . v_j for keys kb..kb+7.
    var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;
    var s4 = 0.0; var s5 = 0.0; var s6 = 0.0; var s7 = 0.0;
    var t0 = 0.0; var t1 = 0.0; var t2 = 0.0; var t3 = 0.0;
    var t4 = 0.0; var t5 = 0.0; var t6 = 0.0; var t7 = 0.0;
    for (var c = 0u; c < D4; c++) {
      let kc = ld(1u, kbase, c);
      let vc = ld(2u, kbase, c);
      let x = ld(0u, qbase, c) * p.scale;  // the lane's own q and dout chunks, read again per block:
      let y = ld(3u, qbase, c);            // holding them too makes Mesa's compile several times slower
      s0 += dot(x, subgroupShuffle(kc, 0u)); t0 += dot(y, subgroupShuffle(vc, 0u));
      s1 += dot(x, subgroupShuffle(kc, 1u)); t1 += dot(y, subgroupShuffle(vc, 1u));
      s2 += dot(x, subgroupShuffle(kc, 2u)); t2 += dot(y, subgroupShuffle(vc, 2u));
      s3 += dot(x, subgroupShuffle(kc, 3u)); t3 += dot(y, subgroupShuffle(vc, 3u));
      s4 += dot(x, subgroupShuffle(kc, 4u)); t4 += dot(y, subgroupShuffle(vc, 4u));
      s5 += dot(x, subgroupShuffle(kc, 5u)); t5 += dot(y, subgroupShuffle(vc, 5u));
      s6 += dot(x, subgroupShuffle(kc, 6u)); t6 += dot(y, subgroupShuffle(vc, 6u));
      s7 += dot(x, subgroupShuffle(kc, 7u)); t7 += dot(y, subgroupShuffle(vc, 7u));
    }
    let ka = vec4<f32>(subgroupShuffle(keep, 0u), subgroupShuffle(keep, 1u), subgroupShuffle(keep, 2u), subgroupShuffle(keep, 3u)) > vec4<f32>(0.0);
    let kz = vec4<f32>(subgroupShuffle(keep, 4u), subgroupShuffle(keep, 5u), subgroupShuffle(keep, 6u), subgroupShuffle(keep, 7u)) > vec4<f32>(0.0);
    let pa = select(vec4<f32>(0.0), exp(vec4<f32>(s0, s1, s2, s3) - st.x), ka);
    let pb = select(vec4<f32>(0.0), exp(vec4<f32>(s4, s5, s6, s7) - st.x), kz);
    let da = pa * (vec4<f32>(t0, t1, t2, t3) - st.y);
    let db = pb * (vec4<f32>(t4, t5, t6, t7) - st.y);
    // dq += dS . K block (the key chunks are read again rather than kept: fewer live registers).
    for (var c = 0u; c < D4; c++) {
      let kc = ld(1u, kbase, c);
      acc[c] += da.x * subgroupShuffle(kc, 0u) + da.y * subgroupShuffle(kc, 1u)
        + da.z * subgroupShuffle(kc, 2u) + da.w * subgroupShuffle(kc, 3u)
        + db.x * subgroupShuffle(kc, 4u) + db.y * subgroupShuffle(kc, 5u)
        + db.z * subgroupShuffle(kc, 6u) + db.w * subgroupShuffle(kc, 7u);
    }
  }

  if (row < p.T) {
    for (var c = 0u; c < D4; c++) {
      if (c < p.d4) { dq[qbase + c] = acc[c] * p.scale; }
    }
  }
}
