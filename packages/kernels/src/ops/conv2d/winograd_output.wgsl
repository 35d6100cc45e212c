// Winograd F(m x m, 3x3) output transform (m = M_OUT: 2 or 4, alpha = m + 2) with the conv epilogue:
//   y[img, ty*m + i, tx*m + j, co] = act(bias[co] + (A^T M A)[i][j]),  M[e] = mt[e][t][co]
// for the output pixels inside [OH, OW] (edge tiles are partial).
//
// Bindings: 0 Params; 1 mt [alpha^2][T][Cout] as vec4 (Cout % 4 == 0); 2 bias [Cout] as vec4 (read
// when flags bit 0; bit 1 = ReLU); 3 y [N, OH, OW, Cout] as vec4.
// Threads: one per (tile, 4 output channels), consecutive threads along channels; 64 per workgroup,
// linear index = gid.x + gid.y * nwg.x * 64.
// Code shape: constant-indexed private arrays, loads and stores in loops over uniform trip counts
// (p.alpha rows in, p.m rows out) that shift windows of rows (see winograd_input.wgsl).

struct Params { n: u32, oh: u32, ow: u32, cout: u32, tiles_h: u32, tiles_w: u32, flags: u32, alpha: u32, m: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> mt: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;

alias Quad = array<vec4<f32>, 4>;

// A^T applied to one line of the transform-domain tile (first m entries of the result used).
fn at(d: Line) -> Quad {
  var r: Quad;
  if (M_OUT == 2u) {
    r[0] = d[0] + d[1] + d[2];
    r[1] = d[1] - d[2] - d[3];
  } else {
    let s12 = d[1] + d[2];
    let d12 = d[1] - d[2];
    let s34 = d[3] + d[4];
    let d34 = d[3] - d[4];
    r[0] = d[0] + s12 + s34;
    r[1] = d12 + 2.0 * d34;
    r[2] = s12 + 4.0 * s34;
    r[3] = d12 + 8.0 * d34 + d[5];
  }
  return r;
}

// Column j of (M A) (rows in r[6 - alpha ..]) transformed along the column: output column j.
fn column(r: array<Quad, 6>, j: u32) -> Quad {
  if (M_OUT == 2u) { return at(Line(r[2][j], r[3][j], r[4][j], r[5][j], vec4<f32>(0.0), vec4<f32>(0.0))); }
  return at(Line(r[0][j], r[1][j], r[2][j], r[3][j], r[4][j], r[5][j]));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c4 = p.cout / 4u;
  let tp = tile_thread(gid, nwg, c4, p.n, p.tiles_h, p.tiles_w);
  if (!tp.ok) { return; }
  let ntiles = tp.ntiles;
  let cq = tp.cq;

  // Rows of (M A), oldest first, shifted in: transform row i ends up in r[6 - alpha + i].
  var r: array<Quad, 6>;
  for (var i = 0u; i < p.alpha; i++) {
    let base = i * p.alpha * ntiles + tp.t;
    var d: Line;
    d[0] = mt[base * c4 + cq];
    d[1] = mt[(base + ntiles) * c4 + cq];
    d[2] = mt[(base + 2u * ntiles) * c4 + cq];
    d[3] = mt[(base + 3u * ntiles) * c4 + cq];
    if (M_OUT == 4u) {
      d[4] = mt[(base + 4u * ntiles) * c4 + cq];
      d[5] = mt[(base + 5u * ntiles) * c4 + cq];
    }
    r = array<Quad, 6>(r[1], r[2], r[3], r[4], r[5], at(d));
  }
  // c[j] = output column j; transpose so o[i] = output row i.
  let c = array<Quad, 4>(column(r, 0u), column(r, 1u), column(r, 2u), column(r, 3u));
  var o = array<Quad, 4>(Quad(c[0][0], c[1][0], c[2][0], c[3][0]), Quad(c[0][1], c[1][1], c[2][1], c[3][1]),
                         Quad(c[0][2], c[1][2], c[2][2], c[3][2]), Quad(c[0][3], c[1][3], c[2][3], c[3][3]));
  var b = vec4<f32>(0.0);
  if ((p.flags & 1u) != 0u) { b = bias[cq]; }
  let relu = (p.flags & 2u) != 0u;
  // Output row i is o[0] on iteration i.
  for (var i = 0u; i < p.m; i++) {
    let oy = tp.ty * M_OUT + i;
    for (var j = 0u; j < p.m; j++) {
      let ox = tp.tx * M_OUT + j;
      if (oy < p.oh && ox < p.ow) {
        var val = o[0][0] + b;
        if (relu) { val = max(val, vec4<f32>(0.0)); }
        y[((tp.img * p.oh + oy) * p.ow + ox) * c4 + cq] = val;
      }
      o[0] = Quad(o[0][1], o[0][2], o[0][3], o[0][0]);
    }
    o = array<Quad, 4>(o[1], o[2], o[3], o[0]);
  }
}
