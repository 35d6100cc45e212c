// Winograd F(m x m, 3x3) output transform (m = M_OUT: 2 or 4, alpha = m + 2) with the conv epilogue:
//   y[img, ty*m + i, tx*m + j, co] = act(bias[co] + (A^T M A)[i][j]),  M[e] = mt[e][t][co]
// for the output pixels inside [OH, OW] (edge tiles are partial).
//
// Bindings: 0 Params; 1 mt [alpha^2][T][Cout] as vec4 (Cout % 4 == 0); 2 bias [Cout] as vec4 (read
// when flags bit 0; bit 1 = ReLU); 3 y [N, OH, OW, Cout] as vec4.
// Threads: one per (tile, 4 output channels), consecutive threads along channels; 64 per workgroup,
// linear index = gid.x + gid.y * nwg.x * 64.
// Unrolled with constant indices (see winograd_input.wgsl: dynamic private indexing is slow on lavapipe).

override M_OUT: u32 = 4u;

struct Params { n: u32, oh: u32, ow: u32, cout: u32, tiles_h: u32, tiles_w: u32, flags: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> mt: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;

alias Line = array<vec4<f32>, 6>;
alias Out = array<vec4<f32>, 4>;

// A^T applied to one line of the transform-domain tile (first m entries of the result used).
fn at(d: Line) -> Out {
  var r: Out;
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

struct Tile { img: u32, oy: u32, ox: u32, t: u32, ntiles: u32, cq: u32, c4: u32, bias: vec4<f32>, relu: bool }

// Row i of M transformed along the row: (M A)[i][.].
fn row(q: Tile, i: u32) -> Out {
  let alpha = M_OUT + 2u;
  let base = i * alpha * q.ntiles + q.t;
  var d: Line;
  d[0] = mt[base * q.c4 + q.cq];
  d[1] = mt[(base + q.ntiles) * q.c4 + q.cq];
  d[2] = mt[(base + 2u * q.ntiles) * q.c4 + q.cq];
  d[3] = mt[(base + 3u * q.ntiles) * q.c4 + q.cq];
  if (M_OUT == 4u) {
    d[4] = mt[(base + 4u * q.ntiles) * q.c4 + q.cq];
    d[5] = mt[(base + 5u * q.ntiles) * q.c4 + q.cq];
  }
  return at(d);
}

fn put(q: Tile, i: u32, j: u32, val: vec4<f32>) {
  let oy = q.oy + i;
  let ox = q.ox + j;
  if (oy < p.oh && ox < p.ow) {
    var r = val + q.bias;
    if (q.relu) { r = max(r, vec4<f32>(0.0)); }
    y[((q.img * p.oh + oy) * p.ow + ox) * q.c4 + q.cq] = r;
  }
}

// Output column j: A^T applied to column j of (M A).
fn column(q: Tile, j: u32, c: Line) {
  let r = at(c);
  put(q, 0u, j, r[0]);
  put(q, 1u, j, r[1]);
  if (M_OUT == 4u) {
    put(q, 2u, j, r[2]);
    put(q, 3u, j, r[3]);
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c4 = p.cout / 4u;
  let ntiles = p.n * p.tiles_h * p.tiles_w;
  let idx = gid.x + gid.y * nwg.x * 64u;
  if (idx >= ntiles * c4) { return; }
  let t = idx / c4;
  let cq = idx - t * c4;
  let img = t / (p.tiles_h * p.tiles_w);
  let ty = (t / p.tiles_w) % p.tiles_h;
  let tx = t % p.tiles_w;
  var b = vec4<f32>(0.0);
  if ((p.flags & 1u) != 0u) { b = bias[cq]; }
  let q = Tile(img, ty * M_OUT, tx * M_OUT, t, ntiles, cq, c4, b, (p.flags & 2u) != 0u);

  let r0 = row(q, 0u);
  let r1 = row(q, 1u);
  let r2 = row(q, 2u);
  let r3 = row(q, 3u);
  var r4: Out;
  var r5: Out;
  if (M_OUT == 4u) {
    r4 = row(q, 4u);
    r5 = row(q, 5u);
  }
  column(q, 0u, Line(r0[0], r1[0], r2[0], r3[0], r4[0], r5[0]));
  column(q, 1u, Line(r0[1], r1[1], r2[1], r3[1], r4[1], r5[1]));
  if (M_OUT == 4u) {
    column(q, 2u, Line(r0[2], r1[2], r2[2], r3[2], r4[2], r5[2]));
    column(q, 3u, Line(r0[3], r1[3], r2[3], r3[3], r4[3], r5[3]));
  }
}
