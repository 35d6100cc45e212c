// Winograd F(m x m, 3x3) input transform (m = M_OUT: 2 or 4, tile alpha = m + 2):
//   V[e][t][ci] = (B^T d B)[e],  d = the alpha x alpha input patch of output tile t, channel ci
// where tile t = (img, ty, tx) covers output rows ty*m .. ty*m + m - 1 (columns likewise) and its patch
// starts at input (ty*m - ph, tx*m - pw); pixels outside the image read as zero (the padding).
// e = i * alpha + j indexes the transform domain; V is laid out as alpha^2 GEMM operands [T][Cin].
//
// Bindings: 0 Params; 1 x [N, H, W, Cin] as vec4 (Cin % 4 == 0); 2 v [alpha^2][T][Cin] as vec4.
// Threads: one per (tile, 4 input channels), consecutive threads along channels; 64 per workgroup,
// linear index = gid.x + gid.y * nwg.x * 64.

override M_OUT: u32 = 4u;

struct Params { n: u32, h: u32, w: u32, cin: u32, ph: i32, pw: i32, tiles_h: u32, tiles_w: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> v: array<vec4<f32>>;

// B^T applied to one line of the patch (first alpha entries used).
fn bt(d: array<vec4<f32>, 6>) -> array<vec4<f32>, 6> {
  var r: array<vec4<f32>, 6>;
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

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let alpha = M_OUT + 2u;
  let c4 = p.cin / 4u;
  let ntiles = p.n * p.tiles_h * p.tiles_w;
  let idx = gid.x + gid.y * nwg.x * 64u;
  if (idx >= ntiles * c4) { return; }
  let t = idx / c4;
  let cq = idx - t * c4;
  let img = t / (p.tiles_h * p.tiles_w);
  let ty = (t / p.tiles_w) % p.tiles_h;
  let tx = t % p.tiles_w;
  let y0 = i32(ty * M_OUT) - p.ph;
  let x0 = i32(tx * M_OUT) - p.pw;

  // Columns first: tmp[j] = B^T (column j of the patch).
  var tmp: array<array<vec4<f32>, 6>, 6>;
  for (var j = 0u; j < alpha; j++) {
    var col: array<vec4<f32>, 6>;
    let ix = x0 + i32(j);
    for (var i = 0u; i < alpha; i++) {
      let iy = y0 + i32(i);
      // Every entry is assigned: relying on `col` being zeroed per iteration of the j loop
      // miscompiles here (the array keeps the previous column's values).
      var d = vec4<f32>(0.0);
      if (iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w)) {
        d = x[((img * p.h + u32(iy)) * p.w + u32(ix)) * c4 + cq];
      }
      col[i] = d;
    }
    tmp[j] = bt(col);
  }
  // Then rows: V[i][.] = B^T (row i of tmp).
  for (var i = 0u; i < alpha; i++) {
    var row: array<vec4<f32>, 6>;
    for (var j = 0u; j < alpha; j++) { row[j] = tmp[j][i]; }
    let r = bt(row);
    for (var j = 0u; j < alpha; j++) {
      v[((i * alpha + j) * ntiles + t) * c4 + cq] = r[j];
    }
  }
}
