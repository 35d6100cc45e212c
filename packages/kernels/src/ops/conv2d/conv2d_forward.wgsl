// conv2d forward as an implicit GEMM (direct convolution, any stride / padding / dilation):
//   y[b][n, oy, ox, co] = bias[co] + sum_{ky, kx, ci} x[b][n, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw, ci]
//                                                    * w[b][ky, kx, ci, co]
// optionally followed by ReLU; out-of-range input pixels read as zero (zero padding).
// GEMM view: M = N*OH*OW output pixels, N = Cout, K = KH*KW*Cin, reduced tap by tap and 4
// input channels at a time. `b` is a batch of independent problems (workgroup_id.z): the
// Winograd path runs its 16 / 36 transform-domain GEMMs through here as 1x1 convolutions.
//
// Bindings (all f32, contiguous, NHWC activations, HWIO weights):
//   0 Params
//   1 x4 / 2 x1   x [B][N, H, W, Cin]        vec4 view when VEC_IN (Cin % 4 == 0), else scalar
//   3 w4 / 4 w1   w [B][KH, KW, Cin, Cout]   vec4 view when VEC_OUT (Cout % 4 == 0), else scalar
//   5 bias [Cout]                            read when flags bit 0
//   6 y4 / 7 y1   y [B][N, OH, OW, Cout]     vec4 view when VEC_OUT, else scalar
// The view that the overrides do not select is bound to a 16-byte dummy and never touched.
//
// Threads: workgroups of 8 lanes (conv2d_tile.wgsl). Workgroup (tile, zc) computes 16 output
// pixels [16*tile, 16*tile + 16) x 32 output channels; lane l owns channels 4l..4l+3 of the
// channel tile (the tile's lane axis: its 4 weight vec4 loads per step are its own) and loads
// pixels 2l, 2l+1 of the block (the x vec4s that all lanes share through the tile exchange).
// tile = wid.x + wid.y * nwg.x (2-D grid for > 65535 tiles); wid.z = batch * co_tiles + channel tile.
// The unchecked (aligned) variants only drop the per-channel checks; tails in pixels (M % 16)
// and channels (Cout % 32) are always masked.

override VEC_IN: bool = true;
override VEC_OUT: bool = true;
// 1x1, stride 1, no padding (a plain GEMM: x row = output pixel): skips the pixel decomposition,
// whose per-lane integer divisions are a noticeable fixed cost when K is short (Winograd GEMMs).
override PLAIN: bool = false;

struct Params {
  c: Conv,
  flags: u32,  // bit 0 = add bias, bit 1 = ReLU
  px_tiles: u32, co_tiles: u32,
  x_batch: u32, w_batch: u32, y_batch: u32,  // element offsets between the problems of a batch
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> x1: array<f32>;
@group(0) @binding(3) var<storage, read> w4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> w1: array<f32>;
@group(0) @binding(5) var<storage, read> bias: array<f32>;
@group(0) @binding(6) var<storage, read_write> y4: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> y1: array<f32>;

// x[e .. e+3] (channels ci .. ci+3 of one pixel); zero when the pixel is padding or past Cin.
fn load_x(e: u32, ok: bool, ci: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (VEC_IN) {
    // Branch-free (load a safe element, then select): ~20% cheaper than an `if` on lavapipe.
    v = select(vec4<f32>(0.0), x4[select(0u, e >> 2u, ok)], ok);
  } else if (ok) {
    for (var k = 0u; k < 4u; k++) {
      if (ci + k < p.c.cin) { v[k] = x1[e + k]; }
    }
  }
  return v;
}

// w[e .. e+3] (output channels co .. co+3 of one weight row); zero past the row range or Cout.
fn load_w(e: u32, row_ok: bool, co: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (row_ok) {
    if (VEC_OUT) {
      if (co < p.c.cout) { v = w4[e >> 2u]; }
    } else {
      for (var k = 0u; k < 4u; k++) {
        if (co + k < p.c.cout) { v[k] = w1[e + k]; }
      }
    }
  }
  return v;
}

fn store_y(e: u32, co: u32, v: vec4<f32>) {
  if (VEC_OUT) {
    if (co < p.c.cout) { y4[e >> 2u] = v; }
  } else {
    for (var k = 0u; k < 4u; k++) {
      if (co + k < p.c.cout) { y1[e + k] = v[k]; }
    }
  }
}

// One block pixel of this lane: validity, first input row/column of its window, image base row
// (PLAIN: the pixel itself).
struct Pix { ok: bool, iy: i32, ix: i32, row0: u32 }

fn block_pixel(pix: u32) -> Pix {
  let plane = p.c.oh * p.c.ow;
  let m = p.c.n * plane;
  let q = min(pix, m - 1u);
  if (PLAIN) { return Pix(pix < m, 0, 0, q); }
  let img = q / plane;
  let r = q - img * plane;
  let oy = r / p.c.ow;
  let ox = r - oy * p.c.ow;
  return Pix(pix < m, i32(oy * p.c.sh) - p.c.ph, i32(ox * p.c.sw) - p.c.pw, img * p.c.h);
}

// Whether input pixel (iy, ix) of block pixel `q` lies inside the image.
fn tap_ok(q: Pix, iy: i32, ix: i32) -> bool {
  return q.ok && (PLAIN || (iy >= 0 && iy < i32(p.c.h) && ix >= 0 && ix < i32(p.c.w)));
}

// Element index of channel 0 of input pixel (iy, ix) of block pixel `q` (wrapped garbage when
// outside the image; never used then).
fn tap_elem(q: Pix, iy: i32, ix: i32) -> u32 {
  if (PLAIN) { return q.row0 * p.c.cin; }
  return ((q.row0 + u32(iy)) * p.c.w + u32(ix)) * p.c.cin;
}

// Epilogue of one block column (output pixel pix0 + j): bias, ReLU, store this lane's channels.
struct Out { pix0: u32, yoff: u32, co: u32, bias: vec4<f32>, relu: bool }

fn store_col(o: Out, j: u32, acc: vec4<f32>) {
  let pix = o.pix0 + j;
  if (pix < p.c.n * p.c.oh * p.c.ow) {
    var v = acc + o.bias;
    if (o.relu) { v = max(v, vec4<f32>(0.0)); }
    store_y(o.yoff + pix * p.c.cout + o.co, o.co, v);
  }
}

// Called by the entry point of the exchange prelude with this invocation's workgroup lane (0..7).
fn kernel_main(lane: u32, wid: vec3<u32>, nwg: vec3<u32>) {
  let tile = wid.x + wid.y * nwg.x;
  if (tile >= p.px_tiles) { return; } // whole workgroup: grid overshoot
  let ct = wid.z % p.co_tiles;
  let bz = wid.z / p.co_tiles;
  let co = ct * 32u + 4u * lane;
  let xoff = bz * p.x_batch;
  let woff = bz * p.w_batch;

  let q0 = block_pixel(tile * 16u + 2u * lane);
  let q1 = block_pixel(tile * 16u + 2u * lane + 1u);

  var acc: array<vec4<f32>, 16>;
  for (var ky = 0u; ky < p.c.kh; ky++) {
    for (var kx = 0u; kx < p.c.kw; kx++) {
      let dy = i32(ky * p.c.dh);
      let dx = i32(kx * p.c.dw);
      let ok0 = tap_ok(q0, q0.iy + dy, q0.ix + dx);
      let ok1 = tap_ok(q1, q1.iy + dy, q1.ix + dx);
      let e0 = xoff + tap_elem(q0, q0.iy + dy, q0.ix + dx);
      let e1 = xoff + tap_elem(q1, q1.iy + dy, q1.ix + dx);
      let krow = (ky * p.c.kw + kx) * p.c.cin;
      for (var ci = 0u; ci < p.c.cin; ci += 4u) {
        let r = woff + (krow + ci) * p.c.cout + co;
        let a = mat4x4<f32>(
          load_w(r, true, co),
          load_w(r + p.c.cout, VEC_IN || ci + 1u < p.c.cin, co),
          load_w(r + 2u * p.c.cout, VEC_IN || ci + 2u < p.c.cin, co),
          load_w(r + 3u * p.c.cout, VEC_IN || ci + 3u < p.c.cin, co));
        tile_k4(&acc, a, lane, load_x(e0 + ci, ok0, ci), load_x(e1 + ci, ok1, ci));
      }
    }
  }

  var b = vec4<f32>(0.0);
  if ((p.flags & 1u) != 0u) {
    for (var k = 0u; k < 4u; k++) {
      if (co + k < p.c.cout) { b[k] = bias[co + k]; }
    }
  }
  // Column j is always acc[0]: the tile shifts down after each store. A dynamic acc[j] would
  // push the whole tile out of registers; 16 unrolled stores would quadruple the compile time
  // (lavapipe expands every per-lane store into a loop over the lanes).
  let o = Out(tile * 16u, bz * p.y_batch, co, b, (p.flags & 2u) != 0u);
  for (var j = 0u; j < p.c.cols; j++) {
    store_col(o, j, acc[0]);
    acc = array<vec4<f32>, 16>(acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7], acc[8],
                               acc[9], acc[10], acc[11], acc[12], acc[13], acc[14], acc[15], acc[0]);
  }
}
