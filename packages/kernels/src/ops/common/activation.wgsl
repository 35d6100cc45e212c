// Activations for fused epilogues (matmul; conv and others may prepend this file too).
// Codes (keep in sync with ACTIVATIONS in activation.ts): 0 none, 1 relu, 2 gelu (erf form),
// 3 gelu (tanh form). The erf form uses the same rational approximation as unary.wgsl's
// erf_approx (Numerical Recipes erfc fit, ~1e-7 absolute), so a fused `gelu` epilogue matches
// the stand-alone unary `gelu` to rounding.

const ACT_SQRT1_2: f32 = 0.7071067811865476;
const ACT_SQRT_2_OVER_PI: f32 = 0.7978845608028654;

fn act_erf(v: f32) -> f32 {
  let a = abs(v);
  let t = 1.0 / (1.0 + 0.5 * a);
  let r = t * exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
          t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
          t * (-0.82215223 + t * 0.17087277)))))))));
  return sign(v) * (1.0 - r);
}

fn activate(v: f32, act: u32) -> f32 {
  switch act {
    case 1u: { return max(v, 0.0); }
    case 2u: { return 0.5 * v * (1.0 + act_erf(v * ACT_SQRT1_2)); }
    case 3u: { return 0.5 * v * (1.0 + tanh(ACT_SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))); }
    default: { return v; }
  }
}

fn activate4(v: vec4<f32>, act: u32) -> vec4<f32> {
  if (act == 0u) { return v; }
  return vec4(activate(v.x, act), activate(v.y, act), activate(v.z, act), activate(v.w, act));
}
