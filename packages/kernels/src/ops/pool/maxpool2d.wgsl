// Max pool 2-D over NHWC, forward.
//   y[n, oh, ow, c]   = max of x[n, ih, iw, c] over the window
//                       ih = oh*SH - PH + kh (kh < KH), iw = ow*SW - PW + kw (kw < KW)
//   idx[n, oh, ow, c] = flat index ((n*H + ih)*W + iw)*C + c of that maximum, for the backward.
// Padding counts as -inf, so only in-bounds positions are visited (every window holds one, see
// pool2d_common.wgsl, which is prepended and has Params and the index helpers). Ties keep the
// first maximum in row-major window order (PyTorch's choice); the index starts at the first
// in-bounds element so a window of -inf values still points at a real element.
// Bindings: 0 Params; 1 x [N,H,W,C] f32; 2 y [N,OH,OW,C] f32; 3 idx [N,OH,OW,C] u32.
// Threads: one per output element over N*OH*OW*C, 256 per workgroup (2-D grid when large);
// consecutive threads take consecutive channels, so each window position is a contiguous read.

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> idx: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = thread_index(gid, nwg);
  if (o >= p.total) { return; }
  let q = unflatten(o, p.oh, p.ow); // (n, oh, ow, c)
  let rows = window(q.y, p.kh, p.sh, p.ph, p.h);
  let cols = window(q.z, p.kw, p.sw, p.pw, p.w);
  var best_i = input_index(q.x, rows.x, cols.x, q.w);
  var best = x[best_i];
  for (var ih = rows.x; ih < rows.y; ih++) {
    for (var iw = cols.x; iw < cols.y; iw++) {
      let i = input_index(q.x, ih, iw, q.w);
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
