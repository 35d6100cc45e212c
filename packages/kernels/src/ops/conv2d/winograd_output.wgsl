// Winograd F(m x m, 3x3) output transform (m = M_OUT: 2 or 4, alpha = m + 2) with the conv epilogue:
//   y[img, ty*m + i, tx*m + j, co] = act(bias[co] + (A^T M A)[i][j]),  M[e] = mt[e][t][co]
// for the output pixels inside [OH, OW] (edge tiles are partial).
//
// Bindings: 0 Params; 1 mt [alpha^2][T][Cout] as vec4 (Cout % 4 == 0); 2 bias [Cout] (read when
// flags bit 0; bit 1 = ReLU); 3 y [N, OH, OW, Cout] as vec4.
// Threads: one per (tile, 4 output channels), consecutive threads along channels; 64 per workgroup,
// linear index = gid.x + gid.y * nwg.x * 64.

override M_OUT: u32 = 4u;

struct Params { n: u32, oh: u32, ow: u32, cout: u32, tiles_h: u32, tiles_w: u32, flags: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> mt: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;

// A^T applied to one line of the transform-domain tile (first m entries of the result used).
fn at(d: array<vec4<f32>, 6>) -> array<vec4<f32>, 4> {
  var r: array<vec4<f32>, 4>;
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

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let alpha = M_OUT + 2u;
  let c4 = p.cout / 4u;
  let ntiles = p.n * p.tiles_h * p.tiles_w;
  let idx = gid.x + gid.y * nwg.x * 64u;
  if (idx >= ntiles * c4) { return; }
  let t = idx / c4;
  let cq = idx - t * c4;
  let img = t / (p.tiles_h * p.tiles_w);
  let ty = (t / p.tiles_w) % p.tiles_h;
  let tx = t % p.tiles_w;

  // Columns first: tmp[j] = A^T (column j of M).
  var tmp: array<array<vec4<f32>, 4>, 6>;
  for (var j = 0u; j < alpha; j++) {
    var col: array<vec4<f32>, 6>;
    for (var i = 0u; i < alpha; i++) { col[i] = mt[((i * alpha + j) * ntiles + t) * c4 + cq]; }
    tmp[j] = at(col);
  }
  var b = vec4<f32>(0.0);
  if ((p.flags & 1u) != 0u) { b = bias[cq]; }
  for (var i = 0u; i < M_OUT; i++) {
    let oy = ty * M_OUT + i;
    var row: array<vec4<f32>, 6>;
    for (var j = 0u; j < alpha; j++) { row[j] = tmp[j][i]; }
    let r = at(row);
    for (var j = 0u; j < M_OUT; j++) {
      let ox = tx * M_OUT + j;
      if (oy < p.oh && ox < p.ow) {
        var val = r[j] + b;
        if ((p.flags & 2u) != 0u) { val = max(val, vec4<f32>(0.0)); }
        y[((img * p.oh + oy) * p.ow + ox) * c4 + cq] = val;
      }
    }
  }
}
