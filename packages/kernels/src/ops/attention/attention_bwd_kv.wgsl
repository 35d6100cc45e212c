// Attention backward, step 3: gradients with respect to the keys and values.
//
//   P_ij  = exp(scale * q_i . k_j - lse_i)            (recomputed)
//   dv_j  = sum_i P_ij dout_i
//   dS_ij = P_ij * (dout_i . v_j - delta_i)
//   dk_j  = scale * sum_i dS_ij q_i
//
// Each key row is owned by one thread that sums over all queries in a fixed order: no atomics,
// deterministic. Padding keys (mask 0) get dk = dv = 0. A kept key implies its sequence has a
// kept key, so every query it meets has a finite lse.
//
// Bindings:
//   0 Params {B, T, H, D, scale}
//   1 q       f32 [B, T, H, D]   read
//   2 k       f32 [B, T, H, D]   read
//   3 v       f32 [B, T, H, D]   read
//   4 mask    u32 [B, T]         read, 1 = real key
//   5 dout    f32 [B, T, H, D]   read
//   6 rowstat vec2<f32> [B, H, T] read: (lse, delta) from attention_bwd_pre
//   7 dk      f32 [B, T, H, D]   write
//   8 dv      f32 [B, T, H, D]   write
//
// Thread mapping: workgroup (x = key block, y = head, z = batch) of BK threads, thread t owns
// key row x*BK + t with k, v and the dk, dv accumulators in registers as D4 vec4s; blocks of BQ
// queries (q pre-scaled, dout, lse, delta) are staged in workgroup memory and read as broadcasts.

override BK: u32 = 32u;  // keys (= threads) per workgroup
override BQ: u32 = 32u;  // queries per staged block
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
@group(0) @binding(7) var<storage, read_write> dk: array<f32>;
@group(0) @binding(8) var<storage, read_write> dv: array<f32>;

var<workgroup> qs: array<vec4<f32>, BQ * D4>;
var<workgroup> gs: array<vec4<f32>, BQ * D4>;
var<workgroup> st: array<vec2<f32>, BQ>;

fn row_base(b: u32, t: u32, h: u32) -> u32 {
  return ((b * p.T + t) * p.H + h) * p.D;
}

@compute @workgroup_size(BK)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.z;
  let h = wid.y;
  let j = wid.x * BK + tid;
  let kept = j < p.T && mask[b * p.T + min(j, p.T - 1u)] != 0u;

  var kr: array<vec4<f32>, MAX_D4>;
  var vr: array<vec4<f32>, MAX_D4>;
  var dka: array<vec4<f32>, MAX_D4>;
  var dva: array<vec4<f32>, MAX_D4>;
  if (kept) {
    let base = row_base(b, j, h);
    for (var c = 0u; c < D4; c++) {
      var x = vec4<f32>(0.0);
      var y = vec4<f32>(0.0);
      for (var e = 0u; e < 4u; e++) {
        let d = c * 4u + e;
        if (d < p.D) {
          x[e] = k[base + d];
          y[e] = v[base + d];
        }
      }
      kr[c] = x;
      vr[c] = y;
    }
  }

  for (var qb = 0u; qb < p.T; qb += BQ) {
    workgroupBarrier();
    for (var idx = tid; idx < BQ * D4; idx += BK) {
      let r = idx / D4;
      let c = idx % D4;
      let t = qb + r;
      var x = vec4<f32>(0.0);
      var g = vec4<f32>(0.0);
      if (t < p.T) {
        let base = row_base(b, t, h);
        for (var e = 0u; e < 4u; e++) {
          let d = c * 4u + e;
          if (d < p.D) {
            x[e] = q[base + d];
            g[e] = dout[base + d];
          }
        }
      }
      qs[idx] = x * p.scale;
      gs[idx] = g;
    }
    for (var r = tid; r < BQ; r += BK) {
      let t = qb + r;
      st[r] = select(vec2<f32>(0.0), rowstat[(b * p.H + h) * p.T + min(t, p.T - 1u)], t < p.T);
    }
    workgroupBarrier();

    if (kept) {
      let rows = min(BQ, p.T - qb);
      for (var r = 0u; r < rows; r++) {
        var s4 = vec4<f32>(0.0);
        var dp4 = vec4<f32>(0.0);
        for (var c = 0u; c < D4; c++) {
          s4 += qs[r * D4 + c] * kr[c];
          dp4 += gs[r * D4 + c] * vr[c];
        }
        let stat = st[r];
        let pr = exp(s4.x + s4.y + s4.z + s4.w - stat.x);
        let ds = pr * (dp4.x + dp4.y + dp4.z + dp4.w - stat.y);
        for (var c = 0u; c < D4; c++) {
          dva[c] += pr * gs[r * D4 + c];
          dka[c] += ds * qs[r * D4 + c];
        }
      }
    }
  }

  if (j < p.T) {
    let base = row_base(b, j, h);
    for (var c = 0u; c < D4; c++) {
      let x = dka[c];
      let y = dva[c];
      for (var e = 0u; e < 4u; e++) {
        let d = c * 4u + e;
        if (d < p.D) {
          dk[base + d] = x[e];
          dv[base + d] = y[e];
        }
      }
    }
  }
}
