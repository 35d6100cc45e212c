// Max pool 2-D over NHWC, backward (gather form, deterministic and race-free).
//   dx[n, ih, iw, c] = sum of dy[n, oh, ow, c] over the windows (oh, ow) that contain (ih, iw)
//                      and whose recorded argmax idx[n, oh, ow, c] is this element.
// Each input element owns its own sum, so there are no atomics and the summation order is
// fixed (oh, then ow ascending); at most ceil(KH/SH) * ceil(KW/SW) windows contain an element.
// pool2d_common.wgsl (prepended) has Params and the index helpers.
// Bindings: 0 Params; 1 dy [N,OH,OW,C] f32; 2 idx [N,OH,OW,C] u32 (from the forward);
//           3 dx [N,H,W,C] f32.
// Threads: one per input element over N*H*W*C, 256 per workgroup (2-D grid when large).

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<u32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = thread_index(gid, nwg);
  if (i >= p.total) { return; }
  let q = unflatten(i, p.h, p.w); // (n, ih, iw, c)
  let ohs = windows_containing(q.y, p.kh, p.sh, p.ph, p.oh);
  let ows = windows_containing(q.z, p.kw, p.sw, p.pw, p.ow);
  var acc = 0.0;
  for (var oh = ohs.x; oh < ohs.y; oh++) {
    for (var ow = ows.x; ow < ows.y; ow++) {
      let o = output_index(q.x, oh, ow, q.w);
      if (idx[o] == i) { acc += dy[o]; }
    }
  }
  dx[i] = acc;
}
