// Fused Adam / AdamW step over one parameter tensor, in place, with PyTorch's formulas
// (torch.optim.Adam / AdamW, amsgrad off):
//   g  = grad * scale                          scale = grad_scale * scale_buf[scale_index]
//   Adam:  g = g + weight_decay * w            (L2, coupled into the gradient)
//   AdamW: w = w * (1 - lr * weight_decay)     (decoupled, DECOUPLED override)
//   m  = beta1 * m + (1 - beta1) * g
//   v  = beta2 * v + (1 - beta2) * g * g
//   w  = w - step_size * m / (sqrt(v) / bc2_sqrt + eps)
// with step_size = lr / (1 - beta1^t) and bc2_sqrt = sqrt(1 - beta2^t) computed on the host
// in float64 (eps is added after the square root of the bias-corrected v, as PyTorch does).
// Layout: param, m, v (read-write), grad (read) contiguous f32 of length n; scale_buf f32 holds
// the gradient factor (a clip coefficient on the GPU, or a constant 1).
// One thread per element, 256 per workgroup, 2-D grid allowed (runtime grid()). Elem is f32,
// or vec4<f32> in the launcher's vec4 variant (n a multiple of 4: a quarter of the threads, and
// lavapipe turns each vec4 load into one gather instead of four); the arithmetic per float is
// the same in both, so they give identical bits.

alias Elem = f32;

override DECOUPLED: bool = false;

struct Params {
  n: u32,              // elements of Elem (floats / 4 in the vec4 variant)
  beta1: f32, one_minus_beta1: f32,
  beta2: f32, one_minus_beta2: f32,
  eps: f32,
  weight_decay: f32,
  decay_factor: f32,   // 1 - lr * weight_decay (AdamW)
  step_size: f32,
  bc2_sqrt: f32,
  grad_scale: f32,
  scale_index: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<Elem>;
@group(0) @binding(2) var<storage, read> grad: array<Elem>;
@group(0) @binding(3) var<storage, read_write> m: array<Elem>;
@group(0) @binding(4) var<storage, read_write> v: array<Elem>;
@group(0) @binding(5) var<storage, read> scale_buf: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  var g = grad[i] * (p.grad_scale * scale_buf[p.scale_index]);
  var w = param[i];
  if (p.weight_decay != 0.0) { // skipped entirely at 0, as PyTorch does (inf * 0 would be NaN)
    if (DECOUPLED) { w = w * p.decay_factor; } else { g = g + p.weight_decay * w; }
  }
  let mi = p.beta1 * m[i] + p.one_minus_beta1 * g;
  let vi = p.beta2 * v[i] + p.one_minus_beta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] = w - p.step_size * (mi / (sqrt(vi) / p.bc2_sqrt + p.eps));
}
