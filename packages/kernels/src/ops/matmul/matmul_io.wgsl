// Shared by matmul.wgsl and matmul_subgroup.wgsl (prepended by matmul.ts): the Params both
// launch with, the vec4 views of the bindings, guarded vec4 reads and the vec4 epilogue.
//
// Bindings: 0 Params; 1 A, batch item b at element b * p.stride_a (stride 0 broadcasts one
// matrix to the whole batch); 2 B, likewise with p.stride_b; 3 bias [N] (read only when
// p.has_bias != 0; the launcher binds a dummy otherwise); 4 C [batch, M, N], whose old value
// is added after the activation when p.accumulate != 0 (gradient accumulation, residuals).
// p.act selects the activation (common/activation.wgsl).

// false: the launcher guarantees every access is in bounds, so no check is compiled at all.
override CHECKED: bool = true;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  stride_a: u32,
  stride_b: u32,
  trans_a: u32,
  trans_b: u32,
  alpha: f32,
  has_bias: u32,
  accumulate: u32,
  act: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> c4: array<vec4<f32>>;

// A / B at element `idx` (a multiple of 4); zeros where !ok (only looked at when CHECKED).
fn load_a4(idx: u32, ok: bool) -> vec4<f32> {
  return select(vec4<f32>(0.0), a4[idx / 4u], !CHECKED || ok);
}

fn load_b4(idx: u32, ok: bool) -> vec4<f32> {
  return select(vec4<f32>(0.0), b4[idx / 4u], !CHECKED || ok);
}

// Writes C[m][n..n+3] of batch item z from the raw sums: alpha, bias, activation, accumulate.
fn epilogue4(sums: vec4<f32>, z: u32, m: u32, n: u32) {
  var v = sums * p.alpha;
  if (p.has_bias != 0u) { v += bias4[n / 4u]; }
  v = activate4(v, p.act);
  let o = (z * p.M * p.N + m * p.N + n) / 4u;
  if (p.accumulate != 0u) { v += c4[o]; }
  c4[o] = v;
}
