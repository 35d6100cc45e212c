// Average pool 2-D over NHWC, backward (gather form, deterministic and race-free).
//   dx[n, ih, iw, c] = sum over the windows (oh, ow) containing (ih, iw) of dy[n, oh, ow, c] / d
// where d is the forward's divisor of that window (KH*KW with include_pad, else the number of
// in-bounds elements of the window; see avgpool2d.wgsl). Summation order is fixed (oh, then ow).
// pool2d_common.wgsl (prepended) has Params and the index helpers.
// Bindings: 0 Params; 1 dy [N,OH,OW,C] f32; 2 dx [N,H,W,C] f32.
// Threads: one per input element over N*H*W*C, 256 per workgroup (2-D grid when large).

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

// Extent of a window along one axis as the divisor counts it.
fn extent(o: u32, k: u32, s: u32, pad: u32, size: u32) -> u32 {
  let r = window(o, k, s, pad, size);
  return select(r.y - r.x, k, p.include_pad != 0u);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = thread_index(gid, nwg);
  if (i >= p.total) { return; }
  let q = unflatten(i, p.h, p.w); // (n, ih, iw, c)
  let ohs = windows_containing(q.y, p.kh, p.sh, p.ph, p.oh);
  let ows = windows_containing(q.z, p.kw, p.sw, p.pw, p.ow);
  var acc = 0.0;
  for (var oh = ohs.x; oh < ohs.y; oh++) {
    let rows = extent(oh, p.kh, p.sh, p.ph, p.h);
    for (var ow = ows.x; ow < ows.y; ow++) {
      acc += dy[output_index(q.x, oh, ow, q.w)] / f32(rows * extent(ow, p.kw, p.sw, p.pw, p.w));
    }
  }
  dx[i] = acc;
}
