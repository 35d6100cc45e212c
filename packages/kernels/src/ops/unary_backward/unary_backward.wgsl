// Backward of the element-wise unary ops: dx[i] = dy[i] * op'(.) where the derivative is
// written in terms of the saved tensor s, which is the op's input x or its output y (whichever
// is cheaper and what PyTorch saves; see UNARY_GRAD_SAVES in the launcher):
//   exp: dy*y   log: dy/x   sqrt: dy/(2y)   relu: dy*(y>0)   tanh: dy*(1-y^2)
//   sigmoid: dy*(1-y)*y   clamp(a,b): dy*(a<=x<=b)   reciprocal: -dy*y^2   square: dy*2x
//   abs: dy*sign(x)   gelu / gelu_tanh: PyTorch's GeluBackward formulas in x.
// neg and affine need no saved tensor; the launcher runs them through the unary kernel.
// Layout: dy, s, dx contiguous f32 of length n. One thread per element, 256 per workgroup, the
// workgroup grid may be 2-D (runtime grid()) when n exceeds 65535 * 256.
// OP is the UNARY_OPS code of the forward op (an override: one branch-free pipeline per op).

override OP: u32 = 1u;

struct Params { n: u32, a: f32, b: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> s: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
// In-place variant (dx overwrites dy): binding 1 is read and written.
@group(0) @binding(1) var<storage, read_write> dydx: array<f32>;

const SQRT1_2: f32 = 0.7071067811865476;
// PyTorch's kBeta of the erf GELU: 1 / sqrt(2 pi).
const INV_SQRT_2PI: f32 = 0.3989422804014327;
// PyTorch's kBeta of the tanh GELU: sqrt(2 / pi).
const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const KAPPA: f32 = 0.044715;

// erfc(z) for z >= 0 (Numerical Recipes' Chebyshev-fitted form, relative error < 1.2e-7).
// The GELU cdf is taken as erfc(-x/sqrt2)/2 so its left tail keeps relative accuracy instead
// of losing it to 1 + erf(x) cancellation.
fn erfc_pos(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  let poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
             t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(-z * z + poly);
}

fn gelu_cdf(x: f32) -> f32 {
  let z = -x * SQRT1_2;
  let e = erfc_pos(abs(z));
  return select(1.0 - 0.5 * e, 0.5 * e, z >= 0.0); // erfc(-z) = 2 - erfc(z)
}

fn grad(g: f32, v: f32) -> f32 {
  switch OP {
    case 1u: { return g * v; }                                  // exp (v = y)
    case 2u: { return g / v; }                                  // log (v = x)
    case 3u: { return g / (2.0 * v); }                          // sqrt (v = y)
    case 4u: { return select(0.0, g, v > 0.0); }                // relu (v = y)
    case 5u: {                                                  // gelu, erf form (v = x)
      let pdf = INV_SQRT_2PI * exp(-0.5 * v * v);
      return g * (gelu_cdf(v) + v * pdf);
    }
    case 6u: {                                                  // gelu, tanh form (v = x)
      // PyTorch: 0.5(1 + th) + 0.5 x (1 - th^2) kBeta (1 + 3 kKappa x^2), th = tanh(inner).
      // 1 + th and 1 - th^2 are formed from sigmoids (1 + th = 2 sp, 1 - th^2 = 4 sp sm) so
      // the tails keep relative accuracy: a saturated f32 tanh would turn them into 0.
      let x2 = v * v;
      let inner = SQRT_2_OVER_PI * (v + KAPPA * x2 * v);
      let sp = 1.0 / (1.0 + exp(-2.0 * inner));
      let sm = 1.0 / (1.0 + exp(2.0 * inner));
      let left_d = sp;
      let right_d = 2.0 * v * sp * sm * SQRT_2_OVER_PI * (1.0 + 3.0 * KAPPA * x2);
      return g * (left_d + right_d);
    }
    case 7u: { return g * (1.0 - v * v); }                      // tanh (v = y)
    case 8u: { return g * (1.0 - v) * v; }                      // sigmoid (v = y)
    case 9u: { return select(0.0, g, v >= p.a && v <= p.b); }   // clamp(a, b) (v = x), ends pass
    case 11u: { return -g * (v * v); }                          // reciprocal (v = y)
    case 12u: { return g * 2.0 * v; }                           // square (v = x)
    case 13u: { return g * sign(v); }                           // abs (v = x), 0 at 0
    default: { return g; }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  dx[i] = grad(dy[i], s[i]);
}

@compute @workgroup_size(256)
fn main_inplace(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  dydx[i] = grad(dydx[i], s[i]);
}
