// Attention backward, step 2: gradient with respect to the queries.
//
//   P_ij  = exp(scale * q_i . k_j - lse_i)            (recomputed; kept keys only)
//   dS_ij = P_ij * (dout_i . v_j - delta_i)
//   dq_i  = scale * sum_j dS_ij k_j
//
// Each dq row is owned by one thread and summed over the keys in a fixed order: no atomics,
// bit-for-bit deterministic. A query without kept keys (fully padded sequence) gets dq = 0.
//
// Bindings:
//   0 Params {B, T, H, D, scale}
//   1 q       f32 [B, T, H, D]   read
//   2 k       f32 [B, T, H, D]   read
//   3 v       f32 [B, T, H, D]   read
//   4 mask    u32 [B, T]         read, 1 = real key
//   5 dout    f32 [B, T, H, D]   read
//   6 rowstat vec2<f32> [B, H, T] read: (lse, delta) from attention_bwd_pre
//   7 dq      f32 [B, T, H, D]   write
//
// Thread mapping: workgroup (x = query block, y = head, z = batch) of BQ threads, thread t owns
// query row x*BQ + t with q (pre-scaled), dout and the dq accumulator in registers as D4 vec4s;
// key/value blocks of BK rows are staged in workgroup memory and read as broadcasts.

override BQ: u32 = 32u;
override BK: u32 = 32u;
override D4: u32 = 16u;

const MAX_D4: u32 = 32u;

struct Params { B: u32, T: u32, H: u32, D: u32, scale: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;
@group(0) @binding(5) var<storage, read> dout: array<f32>;
@group(0) @binding(6) var<storage, read> rowstat: array<vec2<f32>>;
@group(0) @binding(7) var<storage, read_write> dq: array<f32>;

var<workgroup> ks: array<vec4<f32>, BK * D4>;
var<workgroup> vs: array<vec4<f32>, BK * D4>;
var<workgroup> keep: array<u32, BK>;

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
  var gr: array<vec4<f32>, MAX_D4>;
  var acc: array<vec4<f32>, MAX_D4>;
  var stat = vec2<f32>(0.0);
  if (row_ok) {
    let base = row_base(b, i, h);
    for (var c = 0u; c < D4; c++) {
      var x = vec4<f32>(0.0);
      var g = vec4<f32>(0.0);
      for (var e = 0u; e < 4u; e++) {
        let d = c * 4u + e;
        if (d < p.D) {
          x[e] = q[base + d];
          g[e] = dout[base + d];
        }
      }
      qr[c] = x * p.scale;
      gr[c] = g;
    }
    stat = rowstat[(b * p.H + h) * p.T + i];
  }

  for (var kb = 0u; kb < p.T; kb += BK) {
    workgroupBarrier();
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

    if (row_ok) {
      for (var j = 0u; j < BK; j++) {
        if (keep[j] != 0u) {
          var s4 = vec4<f32>(0.0);
          var dp4 = vec4<f32>(0.0);
          for (var c = 0u; c < D4; c++) {
            s4 += qr[c] * ks[j * D4 + c];
            dp4 += gr[c] * vs[j * D4 + c];
          }
          let pj = exp(s4.x + s4.y + s4.z + s4.w - stat.x);
          let ds = pj * (dp4.x + dp4.y + dp4.z + dp4.w - stat.y);
          for (var c = 0u; c < D4; c++) { acc[c] += ds * ks[j * D4 + c]; }
        }
      }
    }
  }

  if (row_ok) {
    let base = row_base(b, i, h);
    for (var c = 0u; c < D4; c++) {
      let y = acc[c] * p.scale;
      for (var e = 0u; e < 4u; e++) {
        let d = c * 4u + e;
        if (d < p.D) { dq[base + d] = y[e]; }
      }
    }
  }
}
