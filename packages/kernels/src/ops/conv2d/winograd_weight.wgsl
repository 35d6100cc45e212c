// Winograd F(m x m, 3x3) weight transform (m = M_OUT: 2 or 4, alpha = m + 2):
//   U[e][r][c] = (G g G^T)[e],  g = the 3x3 filter taps feeding output channel c from input channel r
// FLIP = 0 (forward): r = ci, c = co, g[ky][kx] = w[ky, kx, ci, co]  -> U [alpha^2][Cin][Cout]
// FLIP = 1 (input gradient, i.e. the convolution of dy with the 180-degree rotated, transposed
//          filter): r = co, c = ci, g[ky][kx] = w[2 - ky, 2 - kx, ci, co]  -> U [alpha^2][Cout][Cin]
// so U[e] is the [K][N] operand of transform-domain GEMM e.
//
// Bindings: 0 Params; 1 w [3, 3, Cin, Cout] (scalar: the FLIP layout strides along Cin); 2 u as vec4
// (Cin and Cout % 4 == 0). Threads: one per (r, 4 consecutive c); 64 per workgroup,
// linear index = gid.x + gid.y * nwg.x * 64.

override FLIP: bool = false;

struct Params { cin: u32, cout: u32, taps: u32, alpha: u32 }  // taps = 3, alpha = M_OUT + 2 (uniform trip counts)

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> u: array<vec4<f32>>;

// G applied to 3 taps (first alpha entries of the result used).
fn gt(d0: vec4<f32>, d1: vec4<f32>, d2: vec4<f32>) -> Line {
  var r: Line;
  if (M_OUT == 2u) {
    r[0] = d0;
    r[1] = 0.5 * (d0 + d1 + d2);
    r[2] = 0.5 * (d0 - d1 + d2);
    r[3] = d2;
  } else {
    r[0] = 0.25 * d0;
    r[1] = (d0 + d1 + d2) * (-1.0 / 6.0);
    r[2] = (d0 - d1 + d2) * (-1.0 / 6.0);
    r[3] = d0 * (1.0 / 24.0) + d1 * (1.0 / 12.0) + d2 * (1.0 / 6.0);
    r[4] = d0 * (1.0 / 24.0) - d1 * (1.0 / 12.0) + d2 * (1.0 / 6.0);
    r[5] = d2;
  }
  return r;
}

// Tap (ky, kx) of the filters feeding columns c .. c+3 from row r.
fn tap(ky: u32, kx: u32, r: u32, c: u32) -> vec4<f32> {
  var g: vec4<f32>;
  for (var q = 0u; q < 4u; q++) {
    if (FLIP) {
      g[q] = w[(((2u - ky) * 3u + 2u - kx) * p.cin + c + q) * p.cout + r];
    } else {
      g[q] = w[((ky * 3u + kx) * p.cin + r) * p.cout + c + q];
    }
  }
  return g;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let rows = select(p.cin, p.cout, FLIP);
  let cols4 = select(p.cout, p.cin, FLIP) / 4u;
  let idx = gid.x + gid.y * nwg.x * 64u;
  if (idx >= rows * cols4) { return; }
  let r = idx / cols4;
  let cq = idx - r * cols4;

  // Filter rows first, shifted into a window (loop over the uniform p.taps = 3: see the code-shape
  // note in winograd_input.wgsl): tmp[ky] = G (filter row ky).
  var tmp: array<Line, 3>;
  for (var ky = 0u; ky < p.taps; ky++) {
    tmp = array<Line, 3>(tmp[1], tmp[2], gt(tap(ky, 0u, r, 4u * cq), tap(ky, 1u, r, 4u * cq), tap(ky, 2u, r, 4u * cq)));
  }
  // Columns of tmp (U[.][j]), transposed so that o[i] = U[i][.].
  var o = transpose6(array<Line, 6>(gt(tmp[0][0], tmp[1][0], tmp[2][0]), gt(tmp[0][1], tmp[1][1], tmp[2][1]),
                                    gt(tmp[0][2], tmp[1][2], tmp[2][2]), gt(tmp[0][3], tmp[1][3], tmp[2][3]),
                                    gt(tmp[0][4], tmp[1][4], tmp[2][4]), gt(tmp[0][5], tmp[1][5], tmp[2][5])));
  // Transform row i is o[0] on iteration i.
  for (var i = 0u; i < p.alpha; i++) {
    for (var j = 0u; j < p.alpha; j++) {
      u[((i * p.alpha + j) * rows + r) * cols4 + cq] = o[0][0];
      o[0] = Line(o[0][1], o[0][2], o[0][3], o[0][4], o[0][5], o[0][0]);
    }
    o = array<Line, 6>(o[1], o[2], o[3], o[4], o[5], o[0]);
  }
}
