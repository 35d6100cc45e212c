// Element-wise unary op: y[i] = op(x[i]) (with optional scalar arguments a, b).
// Layout: x, y contiguous f32 of length n. One thread per element, 256 per workgroup, the
// workgroup grid may be 2-D (see runtime grid()) when n exceeds 65535 * 256.
// OP is an override so each op compiles to its own branch-free pipeline. The GELU and tanh
// helpers (act_*) come from common/activation.wgsl, which the launcher prepends.

override OP: u32 = 0u;

struct Params { n: u32, a: f32, b: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
// In-place variant: binding 1 is read and written (aliasing x and y is not allowed in WebGPU).
@group(0) @binding(1) var<storage, read_write> xy: array<f32>;

fn apply(v: f32) -> f32 {
  switch OP {
    case 0u: { return -v; }                                   // neg
    case 1u: { return exp(v); }                               // exp
    case 2u: { return log(v); }                               // log
    case 3u: { return sqrt(v); }                              // sqrt
    case 4u: { return max(v, 0.0); }                          // relu
    case 5u: { return act_gelu(v); }                          // gelu (erf)
    case 6u: { return act_gelu_tanh(v); }                     // gelu (tanh)
    case 7u: { return act_tanh(v); }                          // tanh
    case 8u: { return 1.0 / (1.0 + exp(-v)); }                // sigmoid
    case 9u: { return clamp(v, p.a, p.b); }                   // clamp(a, b)
    case 10u: { return v * p.a + p.b; }                       // affine: a*x + b (scale, shift)
    case 11u: { return 1.0 / v; }                             // reciprocal
    case 12u: { return v * v; }                               // square
    case 13u: { return abs(v); }                              // abs
    default: { return v; }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  y[i] = apply(x[i]);
}

@compute @workgroup_size(256)
fn main_inplace(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  xy[i] = apply(xy[i]);
}
