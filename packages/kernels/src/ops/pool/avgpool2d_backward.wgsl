// Average pool 2-D over NHWC, backward (gather form, deterministic and race-free).
//   dx[n, ih, iw, c] = sum over the windows (oh, ow) containing (ih, iw) of dy[n, oh, ow, c] / d
// where d is the forward's divisor of that window (KH*KW with INCLUDE_PAD, else the number of
// in-bounds elements of the window; see avgpool2d.wgsl). The windows containing row ih are
//   oh in [ceil((ih + PH - KH + 1) / SH), floor((ih + PH) / SH)] clipped to [0, OH-1].
// Bindings: 0 Params; 1 dy [N,OH,OW,C] f32; 2 dx [N,H,W,C] f32.
// Threads: one per input element over N*H*W*C, 256 per workgroup (2-D grid when large).

struct Params {
  h: u32, w: u32, c: u32, oh: u32, ow: u32,
  kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32,
  total: u32,
  include_pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

fn first_window(i: u32, k: u32, s: u32, pad: u32) -> u32 {
  let num = i32(i + pad) - i32(k) + 1;
  return select(0u, (u32(num) + s - 1u) / s, num > 0);
}

// Number of in-bounds positions of the window starting at o*s - pad with length k.
fn inside(o: u32, k: u32, s: u32, pad: u32, size: u32) -> u32 {
  let start = i32(o * s) - i32(pad);
  return u32(min(start + i32(k), i32(size)) - max(start, 0));
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.total) { return; }
  let c = i % p.c;
  let pix = i / p.c;
  let iw = pix % p.w;
  let nh = pix / p.w;
  let ih = nh % p.h;
  let n = nh / p.h;
  let oh_lo = first_window(ih, p.kh, p.sh, p.ph);
  let ow_lo = first_window(iw, p.kw, p.sw, p.pw);
  let oh_hi = min((ih + p.ph) / p.sh + 1u, p.oh);
  let ow_hi = min((iw + p.pw) / p.sw + 1u, p.ow);
  var acc = 0.0;
  for (var oh = oh_lo; oh < oh_hi; oh++) {
    let rows = select(inside(oh, p.kh, p.sh, p.ph, p.h), p.kh, p.include_pad != 0u);
    for (var ow = ow_lo; ow < ow_hi; ow++) {
      let cols = select(inside(ow, p.kw, p.sw, p.pw, p.w), p.kw, p.include_pad != 0u);
      acc += dy[((n * p.oh + oh) * p.ow + ow) * p.c + c] / f32(rows * cols);
    }
  }
  dx[i] = acc;
}
