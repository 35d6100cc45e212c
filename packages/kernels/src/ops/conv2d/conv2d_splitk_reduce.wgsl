// Split-K reduction of the conv2d weight gradient: dw[i] = (ACCUMULATE ? dw[i] : 0) + sum_s part[s * len + i].
// Bindings: 0 Params; 1 part [splits][len] (read); 2 dw [len] (read_write). One thread per element,
// 256 per workgroup; linear index = gid.x + gid.y * nwg.x * 256 (2-D grid for long gradients).

struct Params { len: u32, splits: u32, accumulate: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.len) { return; }
  var s = 0.0;
  if (p.accumulate != 0u) { s = dw[i]; }
  for (var z = 0u; z < p.splits; z++) { s += part[z * p.len + i]; }
  dw[i] = s;
}
