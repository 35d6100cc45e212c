// SGD step over one parameter tensor, in place, as torch.optim.SGD:
//   d = grad * scale (+ weight_decay * w)        scale = grad_scale * scale_buf[scale_index]
//   with momentum (main):
//     buf = d on the first step, else momentum * buf + (1 - dampening) * d
//     d = d + momentum * buf (NESTEROV) or d = buf
//   w = w - lr * d
// main_plain: momentum 0 (no buffer).
// Layout: param (read-write), grad (read), buf (read-write, main only) contiguous f32 of
// length n; scale_buf f32 holds the gradient factor. One thread per element, 256 per
// workgroup, 2-D grid allowed (runtime grid()).

override NESTEROV: bool = false;

struct Params {
  n: u32,
  lr: f32,
  momentum: f32,
  dampening: f32,
  weight_decay: f32,
  first: u32,          // 1 on the first step: the buffer starts as d
  grad_scale: f32,
  scale_index: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read> scale_buf: array<f32>;
@group(0) @binding(4) var<storage, read_write> buf: array<f32>;

fn direction(i: u32, w: f32) -> f32 {
  var d = grad[i] * (p.grad_scale * scale_buf[p.scale_index]);
  if (p.weight_decay != 0.0) { d = d + p.weight_decay * w; }
  return d;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let w = param[i];
  var d = direction(i, w);
  var b = d;
  if (p.first == 0u) { b = p.momentum * buf[i] + (1.0 - p.dampening) * d; }
  buf[i] = b;
  if (NESTEROV) { d = d + p.momentum * b; } else { d = b; }
  param[i] = w - p.lr * d;
}

@compute @workgroup_size(256)
fn main_plain(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let w = param[i];
  param[i] = w - p.lr * direction(i, w);
}
