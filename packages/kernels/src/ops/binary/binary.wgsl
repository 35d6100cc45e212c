// Element-wise binary op with NumPy/PyTorch broadcasting: out[i] = op(a[ia(i)], b[ib(i)]), and
// the scalar form out[i] = op(x[i], c) (or op(c, x[i]) with REVERSE).
// ops: add sub mul div pow maximum minimum, and the comparisons eq ne lt le gt ge, which write
// 1.0 / 0.0 (f32, like every tensor here).
// Layout: a, b, out contiguous f32. The launcher collapses the broadcast index space (see
// shape.ts collapseDims) and picks how ia/ib are formed (mode):
//   0 same shape         ia = ib = i
//   1 b repeats          ib = i % m       (row broadcast [M,N] op [N]; m = 1: scalar b)
//   2 a repeats          ia = i % m
//   3 b per row          ib = i / m       (column broadcast [M,N] op [M,1])
//   4 a per row          ia = i / m
//   5 strided            up to 6 collapsed dims (rank): sizes sz*, element strides sa* / sb*
//                        (0 where broadcast).
// One thread per output element, 256 per workgroup, grid may be 2-D (runtime grid()).
// Entry points: main (a, b -> out), main_inplace (out is a: binding 1 read-write), main_scalar
// (x -> out), main_scalar_inplace (binding 1 read-write). OP and REVERSE are overrides; mode
// and rank are uniforms (a uniform branch per element is cheap, while every extra pipeline
// costs a shader compile, which takes seconds on lavapipe).

override OP: u32 = 0u;
override REVERSE: bool = false;

struct Params {
  n: u32, m: u32, c: f32, mode: u32, rank: u32,
  sz0: u32, sz1: u32, sz2: u32, sz3: u32, sz4: u32, sz5: u32,
  sa0: u32, sa1: u32, sa2: u32, sa3: u32, sa4: u32, sa5: u32,
  sb0: u32, sb1: u32, sb2: u32, sb3: u32, sb4: u32, sb5: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
// main_inplace: a is also the output.
@group(0) @binding(1) var<storage, read_write> a_out: array<f32>;
// main_scalar: x -> y.
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

// x^e with PyTorch's real-valued semantics: x^0 = 1, a negative base with an integral exponent
// keeps its sign rule (odd -> negative), a negative base with a fractional exponent is NaN.
fn pow_real(x: f32, e: f32) -> f32 {
  if (e == 0.0) { return 1.0; }
  if (e == 2.0) { return x * x; } // exact for the common square
  let r = exp2(e * log2(abs(x)));
  if (x >= 0.0) { return r; }
  if (fract(e) != 0.0) { return bitcast<f32>(0x7fc00000u | (bitcast<u32>(x) & 0u)); } // NaN, built at runtime
  return select(r, -r, fract(0.5 * e) != 0.0);
}

fn apply(u: f32, v: f32) -> f32 {
  switch OP {
    case 0u: { return u + v; }
    case 1u: { return u - v; }
    case 2u: { return u * v; }
    case 3u: { return u / v; }
    case 4u: { return pow_real(u, v); }
    case 5u: { return max(u, v); }
    case 6u: { return min(u, v); }
    case 7u: { return select(0.0, 1.0, u == v); }
    case 8u: { return select(0.0, 1.0, u != v); }
    case 9u: { return select(0.0, 1.0, u < v); }
    case 10u: { return select(0.0, 1.0, u <= v); }
    case 11u: { return select(0.0, 1.0, u > v); }
    case 12u: { return select(0.0, 1.0, u >= v); }
    default: { return u; }
  }
}

fn strided(i: u32) -> vec2<u32> {
  let sz = array<u32, 6>(p.sz0, p.sz1, p.sz2, p.sz3, p.sz4, p.sz5);
  let sa = array<u32, 6>(p.sa0, p.sa1, p.sa2, p.sa3, p.sa4, p.sa5);
  let sb = array<u32, 6>(p.sb0, p.sb1, p.sb2, p.sb3, p.sb4, p.sb5);
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  for (var k = i32(p.rank) - 1; k >= 0; k--) {
    let c = rem % sz[k];
    rem = rem / sz[k];
    ia += c * sa[k];
    ib += c * sb[k];
  }
  return vec2<u32>(ia, ib);
}

fn operands(i: u32) -> vec2<u32> {
  switch p.mode {
    case 0u: { return vec2<u32>(i, i); }
    case 1u: { return vec2<u32>(i, i % p.m); }
    case 2u: { return vec2<u32>(i % p.m, i); }
    case 3u: { return vec2<u32>(i, i / p.m); }
    case 4u: { return vec2<u32>(i / p.m, i); }
    default: { return strided(i); }
  }
}

fn scalar_op(v: f32) -> f32 {
  if (REVERSE) { return apply(p.c, v); }
  return apply(v, p.c);
}

fn linear_id(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 256u;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_id(gid, nwg);
  if (i >= p.n) { return; }
  let ix = operands(i);
  out[i] = apply(a[ix.x], b[ix.y]);
}

@compute @workgroup_size(256)
fn main_inplace(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_id(gid, nwg);
  if (i >= p.n) { return; }
  a_out[i] = apply(a_out[i], b[operands(i).y]); // a is never broadcast here (modes 0, 1, 3, 5)
}

@compute @workgroup_size(256)
fn main_scalar(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_id(gid, nwg);
  if (i >= p.n) { return; }
  y[i] = scalar_op(a[i]);
}

@compute @workgroup_size(256)
fn main_scalar_inplace(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_id(gid, nwg);
  if (i >= p.n) { return; }
  a_out[i] = scalar_op(a_out[i]);
}
