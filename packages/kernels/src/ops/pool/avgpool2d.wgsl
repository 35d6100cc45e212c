// Average pool 2-D over NHWC, forward (PyTorch avg_pool2d semantics, floor mode).
//   y[n, oh, ow, c] = (sum of x[n, ih, iw, c] over the in-bounds part of the window) / d
// with the window ih = oh*SH - PH + kh (kh < KH), iw = ow*SW - PW + kw (kw < KW), and
//   d = KH*KW                        when include_pad (PyTorch's default count_include_pad=True:
//                                    zero padding counts; in floor mode no window reaches past
//                                    the padded border, so this is exactly PyTorch's divisor)
//   d = number of in-bounds elements otherwise (count_include_pad=False).
// pool2d_common.wgsl (prepended) has Params and the index helpers.
// Bindings: 0 Params; 1 x [N,H,W,C] f32; 2 y [N,OH,OW,C] f32.
// Threads: one per output element over N*OH*OW*C, 256 per workgroup (2-D grid when large);
// consecutive threads take consecutive channels.

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = thread_index(gid, nwg);
  if (o >= p.total) { return; }
  let q = unflatten(o, p.oh, p.ow); // (n, oh, ow, c)
  let rows = window(q.y, p.kh, p.sh, p.ph, p.h);
  let cols = window(q.z, p.kw, p.sw, p.pw, p.w);
  var acc = 0.0;
  for (var ih = rows.x; ih < rows.y; ih++) {
    for (var iw = cols.x; iw < cols.y; iw++) { acc += x[input_index(q.x, ih, iw, q.w)]; }
  }
  let d = select((rows.y - rows.x) * (cols.y - cols.x), p.kh * p.kw, p.include_pad != 0u);
  y[o] = acc / f32(d);
}
