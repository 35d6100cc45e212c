// Global average pool over NHWC, forward: y[n, c] = mean over h, w of x[n, h, w, c].
// Bindings: 0 Params; 1 x [N,H,W,C] f32; 2 y [N,C] f32.
// Threads: one per output (n, c) over N*C, 256 per workgroup (2-D grid when large). Each thread
// sums its HW values in order (deterministic); consecutive threads read consecutive channels,
// so every step of the loop is one contiguous read across the workgroup.

struct Params { hw: u32, c: u32, total: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + gid.y * nwg.x * 256u;
  if (o >= p.total) { return; }
  let c = o % p.c;
  let n = o / p.c;
  var acc = 0.0;
  for (var s = 0u; s < p.hw; s++) {
    acc += x[(n * p.hw + s) * p.c + c];
  }
  y[o] = acc / f32(p.hw);
}
