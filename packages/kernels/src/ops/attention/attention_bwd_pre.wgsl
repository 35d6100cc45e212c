// Attention backward, step 1: the per-query statistics that the two gradient kernels share.
//
//   rowstat[b,h,i] = (lse[b,h,i], delta[b,h,i]),  delta = sum_d dout[b,i,h,d] * out[b,i,h,d]
//
// lse = +inf (a query without kept keys) becomes the finite 3e38, so the gradient kernels never
// do arithmetic on infinities (which WGSL lets compilers assume away) and still get
// exp(s - lse) = 0.
// delta_i = rowsum(dOut o out) equals sum_j P_ij dP_ij, the term subtracted in the softmax
// backward dS = P o (dP - delta). Packing it beside lse keeps the gradient kernels at 8 storage
// bindings or fewer (the WebGPU default limit).
//
// Bindings:
//   0 Params {B, T, H, D}
//   1 out     f32 [B, T, H, D]   read (forward output)
//   2 dout    f32 [B, T, H, D]   read
//   3 lse     f32 [B, H, T]      read (forward logsumexp; +inf for rows without keys)
//   4 rowstat vec2<f32> [B, H, T] write: (lse, delta)
//
// Thread mapping: one thread per (b, h, i) in [B, H, T] order, 64 per workgroup; the workgroup
// grid may be 2-D (runtime grid()) and the linear id is rebuilt from it.

struct Params { B: u32, T: u32, H: u32, D: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> out: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> rowstat: array<vec2<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = (wid.x + wid.y * nwg.x) * 64u + tid;
  if (n >= p.B * p.H * p.T) { return; }
  let i = n % p.T;
  let bh = n / p.T;
  let h = bh % p.H;
  let b = bh / p.H;
  let base = ((b * p.T + i) * p.H + h) * p.D;
  var acc = 0.0;
  for (var d = 0u; d < p.D; d++) { acc += dout[base + d] * out[base + d]; }
  let l = lse[n];
  rowstat[n] = vec2<f32>(select(l, 3.0e38, bitcast<u32>(l) == 0x7f800000u), acc);
}
