// Activations for fused epilogues (matmul; conv and others may prepend this file too).
// Codes (keep in sync with ACTIVATIONS in activation.ts): 0 none, 1 relu, 2 gelu (erf form),
// 3 gelu (tanh form). unary.wgsl prepends this file too, so a fused `gelu` epilogue and the
// stand-alone unary `gelu` are the same function.

const ACT_SQRT1_2: f32 = 0.7071067811865476;
const ACT_SQRT_2_OVER_PI: f32 = 0.7978845608028654;

// erfc(a) for a >= 0: Numerical Recipes' rational fit through exp (fractional error < 1.2e-7).
fn act_erfc_pos(a: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * a);
  return t * exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
         t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
         t * (-0.82215223 + t * 0.17087277)))))))));
}

// 1 + erf(v / sqrt(2)). For v < 0 this is erfc(|v|/sqrt(2)) itself, so GELU keeps full relative
// accuracy in its left tail instead of cancelling in 1 - (1 - r).
fn act_one_plus_erf(v: f32) -> f32 {
  let r = act_erfc_pos(abs(v) * ACT_SQRT1_2);
  return select(2.0 - r, r, v < 0.0);
}

// tanh through exp(-2|v|): no overflow, full relative accuracy near 0 (lavapipe's built-in
// tanh saturates to +-1 early).
fn act_tanh(v: f32) -> f32 {
  let a = abs(v);
  if (a < 0.0625) {
    let v2 = v * v;
    return v * (1.0 + v2 * (-1.0 / 3.0 + v2 * (2.0 / 15.0 + v2 * (-17.0 / 315.0))));
  }
  let e = exp(-2.0 * a);
  return sign(v) * (1.0 - e) / (1.0 + e);
}

fn act_gelu(v: f32) -> f32 {
  return 0.5 * v * act_one_plus_erf(v);
}

// 0.5 v (1 + tanh(z)) = v * sigmoid(2z): no cancellation in the left tail.
fn act_gelu_tanh(v: f32) -> f32 {
  let z = ACT_SQRT_2_OVER_PI * (v + 0.044715 * v * v * v);
  return v / (1.0 + exp(-2.0 * z));
}

fn activate(v: f32, act: u32) -> f32 {
  switch act {
    case 1u: { return max(v, 0.0); }
    case 2u: { return act_gelu(v); }
    case 3u: { return act_gelu_tanh(v); }
    default: { return v; }
  }
}

fn activate4(v: vec4<f32>, act: u32) -> vec4<f32> {
  if (act == 0u) { return v; }
  return vec4(activate(v.x, act), activate(v.y, act), activate(v.z, act), activate(v.w, act));
}
