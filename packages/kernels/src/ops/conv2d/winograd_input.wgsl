// Winograd F(m x m, 3x3) input transform (m = M_OUT: 2 or 4, tile alpha = m + 2):
//   V[e][t][ci] = (B^T d B)[e],  d = the alpha x alpha input patch of output tile t, channel ci
// where tile t = (img, ty, tx) covers output rows ty*m .. ty*m + m - 1 (columns likewise) and its patch
// starts at input (ty*m - ph, tx*m - pw); pixels outside the image read as zero (the padding).
// e = i * alpha + j indexes the transform domain; V is laid out as alpha^2 GEMM operands [T][Cin].
//
// Bindings: 0 Params; 1 x [N, H, W, Cin] as vec4 (Cin % 4 == 0); 2 v [alpha^2][T][Cin] as vec4.
// Threads: one per (tile, 4 input channels), consecutive threads along channels; 64 per workgroup,
// linear index = gid.x + gid.y * nwg.x * 64.
// Everything is unrolled with constant indices: on lavapipe a dynamically indexed private array
// lives in per-lane scratch memory, which made this transform several times slower.

override M_OUT: u32 = 4u;

struct Params { n: u32, h: u32, w: u32, cin: u32, ph: i32, pw: i32, tiles_h: u32, tiles_w: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> v: array<vec4<f32>>;

alias Line = array<vec4<f32>, 6>;

// B^T applied to one line of the patch (first alpha entries used).
fn bt(d: Line) -> Line {
  var r: Line;
  if (M_OUT == 2u) {
    r[0] = d[0] - d[2];
    r[1] = d[1] + d[2];
    r[2] = d[2] - d[1];
    r[3] = d[1] - d[3];
  } else {
    r[0] = 4.0 * d[0] - 5.0 * d[2] + d[4];
    r[1] = d[3] + d[4] - 4.0 * (d[1] + d[2]);
    r[2] = 4.0 * (d[1] - d[2]) + d[4] - d[3];
    r[3] = 2.0 * (d[3] - d[1]) + d[4] - d[2];
    r[4] = 2.0 * (d[1] - d[3]) + d[4] - d[2];
    r[5] = 4.0 * d[1] - 5.0 * d[3] + d[5];
  }
  return r;
}

struct Tile { img: u32, y0: i32, x0: i32, t: u32, ntiles: u32, cq: u32, c4: u32 }

fn pixel(q: Tile, iy: i32, ix: i32) -> vec4<f32> {
  var d = vec4<f32>(0.0);
  if (iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w)) {
    d = x[((q.img * p.h + u32(iy)) * p.w + u32(ix)) * q.c4 + q.cq];
  }
  return d;
}

// Row i of the patch, transformed along the row: (d B)[i][.].
fn row(q: Tile, i: i32) -> Line {
  let iy = q.y0 + i;
  var d: Line;
  d[0] = pixel(q, iy, q.x0);
  d[1] = pixel(q, iy, q.x0 + 1);
  d[2] = pixel(q, iy, q.x0 + 2);
  d[3] = pixel(q, iy, q.x0 + 3);
  if (M_OUT == 4u) {
    d[4] = pixel(q, iy, q.x0 + 4);
    d[5] = pixel(q, iy, q.x0 + 5);
  }
  return bt(d);
}

// Column j of (d B) transformed along the column: V[.][j].
fn column(q: Tile, j: u32, c: Line) {
  let alpha = M_OUT + 2u;
  let r = bt(c);
  let base = j * q.ntiles + q.t;
  let step = alpha * q.ntiles;
  v[(base) * q.c4 + q.cq] = r[0];
  v[(base + step) * q.c4 + q.cq] = r[1];
  v[(base + 2u * step) * q.c4 + q.cq] = r[2];
  v[(base + 3u * step) * q.c4 + q.cq] = r[3];
  if (M_OUT == 4u) {
    v[(base + 4u * step) * q.c4 + q.cq] = r[4];
    v[(base + 5u * step) * q.c4 + q.cq] = r[5];
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c4 = p.cin / 4u;
  let ntiles = p.n * p.tiles_h * p.tiles_w;
  let idx = gid.x + gid.y * nwg.x * 64u;
  if (idx >= ntiles * c4) { return; }
  let t = idx / c4;
  let img = t / (p.tiles_h * p.tiles_w);
  let ty = (t / p.tiles_w) % p.tiles_h;
  let tx = t % p.tiles_w;
  let q = Tile(img, i32(ty * M_OUT) - p.ph, i32(tx * M_OUT) - p.pw, t, ntiles, idx - t * c4, c4);

  let r0 = row(q, 0);
  let r1 = row(q, 1);
  let r2 = row(q, 2);
  let r3 = row(q, 3);
  var r4: Line;
  var r5: Line;
  if (M_OUT == 4u) {
    r4 = row(q, 4);
    r5 = row(q, 5);
  }
  column(q, 0u, Line(r0[0], r1[0], r2[0], r3[0], r4[0], r5[0]));
  column(q, 1u, Line(r0[1], r1[1], r2[1], r3[1], r4[1], r5[1]));
  column(q, 2u, Line(r0[2], r1[2], r2[2], r3[2], r4[2], r5[2]));
  column(q, 3u, Line(r0[3], r1[3], r2[3], r3[3], r4[3], r5[3]));
  if (M_OUT == 4u) {
    column(q, 4u, Line(r0[4], r1[4], r2[4], r3[4], r4[4], r5[4]));
    column(q, 5u, Line(r0[5], r1[5], r2[5], r3[5], r4[5], r5[5]));
  }
}
