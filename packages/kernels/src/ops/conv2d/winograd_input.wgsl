// Winograd F(m x m, 3x3) input transform (m = M_OUT: 2 or 4, tile alpha = m + 2):
//   V[e][t][ci] = (B^T d B)[e],  d = the alpha x alpha input patch of output tile t, channel ci
// where tile t = (img, ty, tx) covers output rows ty*m .. ty*m + m - 1 (columns likewise) and its patch
// starts at input (ty*m - ph, tx*m - pw); pixels outside the image read as zero (the padding).
// e = i * alpha + j indexes the transform domain; V is laid out as alpha^2 GEMM operands [T][Cin].
//
// Bindings: 0 Params; 1 x [N, H, W, Cin] as vec4 (Cin % 4 == 0); 2 v [alpha^2][T][Cin] as vec4.
// Threads: one per (tile, 4 input channels), consecutive threads along channels; 64 per workgroup,
// linear index = gid.x + gid.y * nwg.x * 64.
//
// Code shape (lavapipe): private arrays are only ever indexed by constants (a dynamic index puts
// them in per-lane scratch memory), and the loads and stores sit in loops over p.alpha rows that
// the compiler cannot unroll (the trip count is a uniform): lavapipe expands each per-lane memory
// access into a loop over the lanes, so 36 unrolled loads + 36 stores took ~20 s to compile.
// The loops shift a window of rows instead of indexing it.

struct Params { n: u32, h: u32, w: u32, cin: u32, ph: i32, pw: i32, tiles_h: u32, tiles_w: u32, alpha: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> v: array<vec4<f32>>;

alias Block = array<Line, 6>;

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

struct Tile { img: u32, y0: i32, x0: i32, cq: u32, c4: u32 }

fn pixel(q: Tile, iy: i32, ix: i32) -> vec4<f32> {
  let inside = iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w);
  let e = select(0u, ((q.img * p.h + u32(iy)) * p.w + u32(ix)) * q.c4 + q.cq, inside);
  return select(vec4<f32>(0.0), x[e], inside);
}

// Patch row iy, transformed along the row: a row of (d B).
fn row(q: Tile, iy: i32) -> Line {
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

// Column j of (d B) (rows in r[6 - alpha ..]), transformed along the column: V[.][j].
fn column(r: Block, j: u32) -> Line {
  if (M_OUT == 2u) { return bt(Line(r[2][j], r[3][j], r[4][j], r[5][j], vec4<f32>(0.0), vec4<f32>(0.0))); }
  return bt(Line(r[0][j], r[1][j], r[2][j], r[3][j], r[4][j], r[5][j]));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c4 = p.cin / 4u;
  let tp = tile_thread(gid, nwg, c4, p.n, p.tiles_h, p.tiles_w);
  if (!tp.ok) { return; }
  let q = Tile(tp.img, i32(tp.ty * M_OUT) - p.ph, i32(tp.tx * M_OUT) - p.pw, tp.cq, c4);

  // Rows of (d B), oldest first, shifted in one at a time: patch row a ends up in r[6 - alpha + a].
  var r: Block;
  for (var a = 0u; a < p.alpha; a++) {
    r = Block(r[1], r[2], r[3], r[4], r[5], row(q, q.y0 + i32(a)));
  }
  // Columns V[.][j], transposed so that o[i] = V[i][.].
  var o = transpose6(Block(column(r, 0u), column(r, 1u), column(r, 2u), column(r, 3u), column(r, 4u), column(r, 5u)));
  // Transform row i is o[0] on iteration i.
  for (var i = 0u; i < p.alpha; i++) {
    let base = i * p.alpha * tp.ntiles + tp.t;
    v[base * c4 + q.cq] = o[0][0];
    v[(base + tp.ntiles) * c4 + q.cq] = o[0][1];
    v[(base + 2u * tp.ntiles) * c4 + q.cq] = o[0][2];
    v[(base + 3u * tp.ntiles) * c4 + q.cq] = o[0][3];
    if (M_OUT == 4u) {
      v[(base + 4u * tp.ntiles) * c4 + q.cq] = o[0][4];
      v[(base + 5u * tp.ntiles) * c4 + q.cq] = o[0][5];
    }
    o = Block(o[1], o[2], o[3], o[4], o[5], o[0]);
  }
}
