// Max pool 2-D over NHWC, forward.
//   y[n, oh, ow, c]   = max of x[n, ih, iw, c] over the window
//                       ih = oh*SH - PH + kh (kh < KH), iw = ow*SW - PW + kw (kw < KW)
//   idx[n, oh, ow, c] = flat index ((n*H + ih)*W + iw)*C + c of that maximum, for the backward.
// Padding counts as -inf, so only in-bounds positions are visited; the launcher requires
// PH <= KH/2 and PW <= KW/2 (as PyTorch does), which guarantees every window holds at least
// one real element. Ties keep the first maximum in row-major window order (PyTorch's choice);
// the index starts at the first in-bounds element so a window of -inf values still points at
// a real element.
// Bindings: 0 Params; 1 x [N,H,W,C] f32; 2 y [N,OH,OW,C] f32; 3 idx [N,OH,OW,C] u32.
// Threads: one per output element over N*OH*OW*C, 256 per workgroup (2-D grid when large);
// consecutive threads take consecutive channels, so each window position is a contiguous read.

struct Params {
  h: u32, w: u32, c: u32, oh: u32, ow: u32,
  kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32,
  total: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> idx: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + gid.y * nwg.x * 256u;
  if (o >= p.total) { return; }
  let c = o % p.c;
  let pix = o / p.c;            // (n*OH + oh)*OW + ow
  let ow = pix % p.ow;
  let nh = pix / p.ow;          // n*OH + oh
  let oh = nh % p.oh;
  let n = nh / p.oh;
  // Window clipped to the input (signed: the window may start in the padding).
  let h0 = i32(oh * p.sh) - i32(p.ph);
  let w0 = i32(ow * p.sw) - i32(p.pw);
  let ih_lo = u32(max(h0, 0));
  let iw_lo = u32(max(w0, 0));
  let ih_hi = u32(min(h0 + i32(p.kh), i32(p.h)));
  let iw_hi = u32(min(w0 + i32(p.kw), i32(p.w)));
  var best_i = ((n * p.h + ih_lo) * p.w + iw_lo) * p.c + c;
  var best = x[best_i];
  for (var ih = ih_lo; ih < ih_hi; ih++) {
    for (var iw = iw_lo; iw < iw_hi; iw++) {
      let i = ((n * p.h + ih) * p.w + iw) * p.c + c;
      let v = x[i];
      if (v > best) {
        best = v;
        best_i = i;
      }
    }
  }
  y[o] = best;
  idx[o] = best_i;
}
