// Average pool 2-D over NHWC, forward (PyTorch avg_pool2d semantics, floor mode).
//   y[n, oh, ow, c] = (sum of x[n, ih, iw, c] over the in-bounds part of the window) / d
// with the window ih = oh*SH - PH + kh (kh < KH), iw = ow*SW - PW + kw (kw < KW), and
//   d = KH*KW                       when INCLUDE_PAD (PyTorch's default count_include_pad=True:
//                                   zero padding counts; in floor mode no window reaches past
//                                   the padded border, so this is exactly PyTorch's divisor)
//   d = number of in-bounds elements otherwise (count_include_pad=False).
// Bindings: 0 Params; 1 x [N,H,W,C] f32; 2 y [N,OH,OW,C] f32.
// Threads: one per output element over N*OH*OW*C, 256 per workgroup (2-D grid when large);
// consecutive threads take consecutive channels.

struct Params {
  h: u32, w: u32, c: u32, oh: u32, ow: u32,
  kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32,
  total: u32,
  include_pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + gid.y * nwg.x * 256u;
  if (o >= p.total) { return; }
  let c = o % p.c;
  let pix = o / p.c;
  let ow = pix % p.ow;
  let nh = pix / p.ow;
  let oh = nh % p.oh;
  let n = nh / p.oh;
  let h0 = i32(oh * p.sh) - i32(p.ph);
  let w0 = i32(ow * p.sw) - i32(p.pw);
  let ih_lo = u32(max(h0, 0));
  let iw_lo = u32(max(w0, 0));
  let ih_hi = u32(min(h0 + i32(p.kh), i32(p.h)));
  let iw_hi = u32(min(w0 + i32(p.kw), i32(p.w)));
  var acc = 0.0;
  for (var ih = ih_lo; ih < ih_hi; ih++) {
    for (var iw = iw_lo; iw < iw_hi; iw++) {
      acc += x[((n * p.h + ih) * p.w + iw) * p.c + c];
    }
  }
  let d = select((ih_hi - ih_lo) * (iw_hi - iw_lo), p.kh * p.kw, p.include_pad != 0u);
  y[o] = acc / f32(d);
}
