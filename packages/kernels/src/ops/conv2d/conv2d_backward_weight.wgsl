// conv2d weight gradient, implicit GEMM with the reduction over output pixels:
//   dw[ky, kx, ci, co] = sum_{n, oy, ox} x[n, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw, ci] * dy[n, oy, ox, co]
// GEMM view: rows k = (ky, kx, ci) (K = KH*KW*Cin), columns co, reduction over P = N*OH*OW pixels.
// Split-K: workgroup z-slice s reduces pixels [s*chunk, min(P, (s+1)*chunk)) and writes its own
// partial out[s][k][co]; conv2d_splitk_reduce.wgsl sums the slices (one slice: out is dw itself,
// and flags bit 0 adds the result to what out already holds: gradient accumulation).
//
// Bindings: 0 Params; 1 x4 / 2 x1: x [N, H, W, Cin] (vec4 view when VEC_IN: Cin % 4 == 0);
// 3 dy4 / 4 dy1: dy [N, OH, OW, Cout] (vec4 view when VEC_OUT: Cout % 4 == 0); 5 out4 / 6 out1:
// [splits][KH*KW*Cin][Cout] (VEC_OUT). Unselected views are bound to 16-byte dummies.
//
// Threads: 8-lane workgroups on the shared register tile (conv2d_tile.wgsl). Lane axis = output
// channels (lane l owns co 4l..4l+3 of a 32-channel tile and loads its own dy vec4s: 4 pixels per
// step); block columns = 16 consecutive weight rows k, fixed for the workgroup, so their
// (tap, ci) decomposition is done once; per step of 4 pixels lane l loads columns
// 8*(l%2) .. 8*(l%2)+7 of pixel l/2 (two x vec4s, contiguous along Cin).
// Grid: row tile = wid.x + wid.y * nwg.x; wid.z = slice * co_tiles + channel tile.

override VEC_IN: bool = true;
override VEC_OUT: bool = true;

struct Params {
  c: Conv,
  flags: u32,  // bit 0 = add to out (single slice only)
  k_tiles: u32, co_tiles: u32, chunk: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> x1: array<f32>;
@group(0) @binding(3) var<storage, read> dy4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> dy1: array<f32>;
@group(0) @binding(5) var<storage, read_write> out4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> out1: array<f32>;

// dy[e .. e+3] (output channels co .. co+3 of one pixel); zero past the slice or Cout.
fn load_dy(e: u32, ok: bool, co: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (ok) {
    if (VEC_OUT) {
      if (co < p.c.cout) { v = dy4[e >> 2u]; }
    } else {
      for (var k = 0u; k < 4u; k++) {
        if (co + k < p.c.cout) { v[k] = dy1[e + k]; }
      }
    }
  }
  return v;
}

// Four consecutive weight rows k .. k+3 as (tap offsets, channel, validity) per row. With VEC_IN
// the four rows share one tap and ci is a multiple of 4 (only component x is used).
struct Rows { offy: vec4<i32>, offx: vec4<i32>, ci: vec4<u32>, ok: vec4<bool> }

fn rows_at(k: u32) -> Rows {
  var r: Rows;
  let kdim = p.c.kh * p.c.kw * p.c.cin;
  for (var c = 0u; c < 4u; c++) {
    let kc = min(k + c, kdim - 1u);
    let tap = kc / p.c.cin;
    let ky = tap / p.c.kw;
    r.offy[c] = i32(ky * p.c.dh) - p.c.ph;
    r.offx[c] = i32((tap - ky * p.c.kw) * p.c.dw) - p.c.pw;
    r.ci[c] = kc - tap * p.c.cin;
    r.ok[c] = k + c < kdim;
  }
  return r;
}

// x values of rows `r` at output pixel (img, oy, ox); zero for padding, rows past K, or an invalid pixel.
fn load_x(r: Rows, img: u32, oy: u32, ox: u32, pix_ok: bool) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let iy = vec4<i32>(i32(oy * p.c.sh)) + r.offy;
  let ix = vec4<i32>(i32(ox * p.c.sw)) + r.offx;
  let inside = r.ok & (iy >= vec4<i32>(0)) & (iy < vec4<i32>(i32(p.c.h))) & (ix >= vec4<i32>(0)) & (ix < vec4<i32>(i32(p.c.w)));
  let e = (vec4<u32>(img * p.c.h) + vec4<u32>(iy)) * p.c.w + vec4<u32>(ix);
  if (pix_ok) {
    if (VEC_IN) {
      if (inside.x) { v = x4[(e.x * p.c.cin + r.ci.x) >> 2u]; }
    } else {
      for (var k = 0u; k < 4u; k++) {
        if (inside[k]) { v[k] = x1[e[k] * p.c.cin + r.ci[k]]; }
      }
    }
  }
  return v;
}

// Epilogue of block column j (weight row k0 + j): this lane's 4 channels, optionally accumulated.
struct Out { k0: u32, off: u32, co: u32, add: bool }

fn store_col(o: Out, j: u32, v: vec4<f32>) {
  if (o.k0 + j >= p.c.kh * p.c.kw * p.c.cin) { return; }
  let e = o.off + (o.k0 + j) * p.c.cout + o.co;
  if (VEC_OUT) {
    if (o.co < p.c.cout) {
      var s = v;
      if (o.add) { s += out4[e >> 2u]; }
      out4[e >> 2u] = s;
    }
  } else {
    for (var c = 0u; c < 4u; c++) {
      if (o.co + c < p.c.cout) {
        var s = v[c];
        if (o.add) { s += out1[e + c]; }
        out1[e + c] = s;
      }
    }
  }
}

// Called by the entry point of the exchange prelude with this invocation's workgroup lane (0..7).
fn kernel_main(lane: u32, wid: vec3<u32>, nwg: vec3<u32>) {
  let kt = wid.x + wid.y * nwg.x;
  if (kt >= p.k_tiles) { return; } // whole workgroup: grid overshoot
  let slice = wid.z / p.co_tiles;
  let co = (wid.z % p.co_tiles) * 32u + 4u * lane;
  let k0 = kt * 16u;
  let npix = p.c.n * p.c.oh * p.c.ow;
  let pbeg = slice * p.chunk;
  let pend = min(npix, pbeg + p.chunk);

  // This lane's block vectors: 4*kk + g for g = 2*(lane % 2) + slot, kk = lane / 2.
  let r0 = rows_at(k0 + 8u * (lane % 2u));
  let r1 = rows_at(k0 + 8u * (lane % 2u) + 4u);
  // Cursor of this lane's block pixel pbeg + lane / 2, advanced 4 pixels per step.
  let q = min(pbeg + lane / 2u, npix - 1u);
  var img = q / (p.c.oh * p.c.ow);
  var oy = (q - img * p.c.oh * p.c.ow) / p.c.ow;
  var ox = q - (img * p.c.oh + oy) * p.c.ow;

  var acc: array<vec4<f32>, 16>;
  for (var ps = pbeg; ps < pend; ps += 4u) {
    let e = ps * p.c.cout + co;
    let a = mat4x4<f32>(
      load_dy(e, true, co),
      load_dy(e + p.c.cout, ps + 1u < pend, co),
      load_dy(e + 2u * p.c.cout, ps + 2u < pend, co),
      load_dy(e + 3u * p.c.cout, ps + 3u < pend, co));
    let mine = ps + lane / 2u < pend;
    tile_k4_rows(&acc, a, lane, load_x(r0, img, oy, ox, mine), load_x(r1, img, oy, ox, mine));
    ox += 4u;
    while (ox >= p.c.ow) {
      ox -= p.c.ow;
      oy += 1u;
      if (oy == p.c.oh) { oy = 0u; img += 1u; }
    }
  }

  // Column j is always acc[0]: the tile shifts down after each store (see conv2d_forward.wgsl).
  let o = Out(k0, slice * p.c.kh * p.c.kw * p.c.cin * p.c.cout, co, (p.flags & 1u) != 0u);
  for (var j = 0u; j < p.c.cols; j++) {
    store_col(o, j, acc[0]);
    acc = array<vec4<f32>, 16>(acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7], acc[8],
                               acc[9], acc[10], acc[11], acc[12], acc[13], acc[14], acc[15], acc[0]);
  }
}
