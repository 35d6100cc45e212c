// Geometry shared by the 2-D pooling kernels (maxpool2d*, avgpool2d*). Not a kernel on its own:
// pool.ts prepends this text to each of them (WGSL has no includes).
// Input [N, H, W, C] and output [N, OH, OW, C], both NHWC; output position o along an axis
// covers input positions o*s - pad + k' for k' < k (padding outside [0, size)). Floor mode:
// the launcher checks pad <= k/2, so every window holds at least one input position.

struct Params {
  h: u32, w: u32, c: u32, oh: u32, ow: u32,
  kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32,
  total: u32,      // threads with work (elements of the tensor the kernel writes)
  include_pad: u32, // avg pool: count_include_pad
}

@group(0) @binding(0) var<uniform> p: Params;

// Flat thread index of a 1-D launch of 256-thread workgroups laid over a 2-D grid.
fn thread_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * 256u; }

// (n, row, col, channel) of flat index i of an [N, rows, cols, C] tensor.
fn unflatten(i: u32, rows: u32, cols: u32) -> vec4<u32> {
  let pix = i / p.c;
  let nr = pix / cols;
  let n = nr / rows;
  return vec4<u32>(n, nr - n * rows, pix - nr * cols, i - pix * p.c);
}

// Flat index of input element (n, ih, iw, c).
fn input_index(n: u32, ih: u32, iw: u32, c: u32) -> u32 { return ((n * p.h + ih) * p.w + iw) * p.c + c; }

// Flat index of output element (n, oh, ow, c).
fn output_index(n: u32, oh: u32, ow: u32, c: u32) -> u32 { return ((n * p.oh + oh) * p.ow + ow) * p.c + c; }

// In-bounds input positions [lo, hi) of the window of output position o along one axis.
fn window(o: u32, k: u32, s: u32, pad: u32, size: u32) -> vec2<u32> {
  let start = i32(o * s) - i32(pad);
  return vec2<u32>(u32(max(start, 0)), u32(min(start + i32(k), i32(size))));
}

// Output positions [lo, hi) whose windows contain input position i along one axis:
// o in [ceil((i + pad - k + 1) / s), floor((i + pad) / s)], clipped to [0, osize).
fn windows_containing(i: u32, k: u32, s: u32, pad: u32, osize: u32) -> vec2<u32> {
  let num = i32(i + pad) - i32(k) + 1;
  let lo = select(0u, (u32(num) + s - 1u) / s, num > 0);
  return vec2<u32>(lo, min((i + pad) / s + 1u, osize));
}
