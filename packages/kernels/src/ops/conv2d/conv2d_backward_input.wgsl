// conv2d input gradient (transposed convolution), implicit GEMM:
//   dx[n, iy, ix, ci] = sum over taps (ky, kx) and co with iy = oy*sh - ph + ky*dh, ix = ox*sw - pw + kx*dw
//                       of dy[n, oy, ox, co] * w[ky, kx, ci, co]
// Every dx element is written (zero where no tap reaches it, e.g. odd pixels of a 1x1 stride-2 conv).
//
// Stride phases: input row iy is reached by tap ky iff (iy + ph - ky*dh) % sh == 0, which depends only
// on the phase rh = iy % sh. Workgroups therefore cover the pixels of one phase (rh, rw) at a time, so a
// tap is either valid for every pixel of the workgroup or skipped as a whole: no multiply-adds are spent
// on taps that cannot contribute (3/4 of them for a 3x3 stride-2 conv), and any output size works,
// including (H + 2p - dk) % s != 0.
//
// Bindings: 0 Params; 1 dy4 / 2 dy1: dy [N, OH, OW, Cout] (vec4 view when VEC_OUT: Cout % 4 == 0);
// 3 w4 / 4 w1: w [KH, KW, Cin, Cout] (VEC_OUT); 5 dx4 / 6 dx1: dx [N, H, W, Cin] (vec4 view when VEC_IN:
// Cin % 4 == 0). Unselected views are bound to 16-byte dummies.
//
// Threads: 8-lane workgroups on the shared register tile (conv2d_tile.wgsl). Lane axis = input channels
// (lane l owns ci 4l..4l+3 of a 32-channel tile; its weight loads are vec4s along co, transposed in
// registers); block columns = 16 consecutive pixels of one phase (lane l loads the dy vec4s of
// pixels 2l, 2l+1); reduction = taps x output channels, 4 channels per step.
// Grid: tile = wid.x + wid.y * nwg.x over pixel tiles of the largest phase; wid.z = phase * ci_tiles + channel tile.

override VEC_IN: bool = true;
override VEC_OUT: bool = true;

struct Params { c: Conv, ci_tiles: u32, px_tiles: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> dy1: array<f32>;
@group(0) @binding(3) var<storage, read> w4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> w1: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> dx1: array<f32>;

// dy[e .. e+3] (output channels co .. co+3 of one pixel); zero when the pixel is outside dy or past Cout.
fn load_dy(e: u32, ok: bool, co: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (ok) {
    if (VEC_OUT) {
      v = dy4[e >> 2u];
    } else {
      for (var k = 0u; k < 4u; k++) {
        if (co + k < p.c.cout) { v[k] = dy1[e + k]; }
      }
    }
  }
  return v;
}

// w[e .. e+3] (output channels co .. co+3 of weight row (tap, ci)); zero past Cin or Cout.
fn load_w(e: u32, ok: bool, co: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (ok) {
    if (VEC_OUT) {
      v = w4[e >> 2u];
    } else {
      for (var k = 0u; k < 4u; k++) {
        if (co + k < p.c.cout) { v[k] = w1[e + k]; }
      }
    }
  }
  return v;
}

// A pixel of the current phase: index within the phase, image, and phase-grid coordinates
// (input pixel iy = rh + sh*qy, ix = rw + sw*qx).
struct Cursor { pix: u32, img: u32, qy: u32, qx: u32 }

struct Phase { rh: u32, rw: u32, qh: u32, qw: u32, m: u32 }

fn cursor(ph: Phase, pix: u32) -> Cursor {
  let plane = ph.qh * ph.qw;
  let q = min(pix, ph.m - 1u);
  let img = q / plane;
  let r = q - img * plane;
  let qy = r / ph.qw;
  return Cursor(pix, img, qy, r - qy * ph.qw);
}

fn advance(ph: Phase, c: ptr<function, Cursor>) {
  (*c).pix += 1u;
  (*c).qx += 1u;
  if ((*c).qx == ph.qw) {
    (*c).qx = 0u;
    (*c).qy += 1u;
    if ((*c).qy == ph.qh) { (*c).qy = 0u; (*c).img += 1u; }
  }
}

// Epilogue of one block column: store this lane's 4 channels of the cursor's pixel, then advance.
fn store_col(ph: Phase, c: ptr<function, Cursor>, ci: u32, v: vec4<f32>) {
  if ((*c).pix < ph.m && ci < p.c.cin) {
    let e = (((*c).img * p.c.h + ph.rh + p.c.sh * (*c).qy) * p.c.w + ph.rw + p.c.sw * (*c).qx) * p.c.cin + ci;
    if (VEC_IN) {
      dx4[e >> 2u] = v;
    } else {
      for (var k = 0u; k < 4u; k++) {
        if (ci + k < p.c.cin) { dx1[e + k] = v[k]; }
      }
    }
  }
  advance(ph, c);
}

// Called by the entry point of the exchange prelude with this invocation's workgroup lane (0..7).
fn kernel_main(lane: u32, wid: vec3<u32>, nwg: vec3<u32>) {
  let tile = wid.x + wid.y * nwg.x;
  let phase = wid.z / p.ci_tiles;
  let rh = phase / p.c.sw;
  let rw = phase % p.c.sw;
  // Whole-workgroup exits: grid overshoot, a phase that holds no pixel (stride > size), or past this phase's pixels.
  if (tile >= p.px_tiles || rh >= p.c.h || rw >= p.c.w) { return; }
  let qh = (p.c.h - rh + p.c.sh - 1u) / p.c.sh;
  let qw = (p.c.w - rw + p.c.sw - 1u) / p.c.sw;
  let ph = Phase(rh, rw, qh, qw, p.c.n * qh * qw);
  if (tile * 16u >= ph.m) { return; }
  let ci = (wid.z % p.ci_tiles) * 32u + 4u * lane;

  let c0 = cursor(ph, tile * 16u + 2u * lane);
  let c1 = cursor(ph, tile * 16u + 2u * lane + 1u);

  var acc: array<vec4<f32>, 16>;
  for (var ky = 0u; ky < p.c.kh; ky++) {
    let ty = i32(rh) + p.c.ph - i32(ky * p.c.dh);
    if (ty % i32(p.c.sh) != 0) { continue; } // this tap never reaches this phase's rows
    let oy0 = i32(c0.qy) + ty / i32(p.c.sh);
    let oy1 = i32(c1.qy) + ty / i32(p.c.sh);
    for (var kx = 0u; kx < p.c.kw; kx++) {
      let tx = i32(rw) + p.c.pw - i32(kx * p.c.dw);
      if (tx % i32(p.c.sw) != 0) { continue; }
      let ox0 = i32(c0.qx) + tx / i32(p.c.sw);
      let ox1 = i32(c1.qx) + tx / i32(p.c.sw);
      let ok0 = c0.pix < ph.m && oy0 >= 0 && oy0 < i32(p.c.oh) && ox0 >= 0 && ox0 < i32(p.c.ow);
      let ok1 = c1.pix < ph.m && oy1 >= 0 && oy1 < i32(p.c.oh) && ox1 >= 0 && ox1 < i32(p.c.ow);
      // Wrapped garbage when !ok; never used then.
      let e0 = ((c0.img * p.c.oh + u32(oy0)) * p.c.ow + u32(ox0)) * p.c.cout;
      let e1 = ((c1.img * p.c.oh + u32(oy1)) * p.c.ow + u32(ox1)) * p.c.cout;
      let wrow = ((ky * p.c.kw + kx) * p.c.cin + ci) * p.c.cout;
      for (var co = 0u; co < p.c.cout; co += 4u) {
        let r = wrow + co;
        // Row r of `wt` is input channel ci + r over 4 output channels; the tile wants steps (co) as columns.
        let wt = mat4x4<f32>(
          load_w(r, ci < p.c.cin, co),
          load_w(r + p.c.cout, ci + 1u < p.c.cin, co),
          load_w(r + 2u * p.c.cout, ci + 2u < p.c.cin, co),
          load_w(r + 3u * p.c.cout, ci + 3u < p.c.cin, co));
        tile_k4(&acc, transpose(wt), lane, load_dy(e0 + co, ok0, co), load_dy(e1 + co, ok1, co));
      }
    }
  }

  // Column j is always acc[0]: the tile shifts down after each store (see conv2d_forward.wgsl).
  var c = cursor(ph, tile * 16u);
  for (var j = 0u; j < p.c.cols; j++) {
    store_col(ph, &c, ci, acc[0]);
    acc = array<vec4<f32>, 16>(acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7], acc[8],
                               acc[9], acc[10], acc[11], acc[12], acc[13], acc[14], acc[15], acc[0]);
  }
}
