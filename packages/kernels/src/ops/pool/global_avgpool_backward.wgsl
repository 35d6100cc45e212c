// Global average pool over NHWC, backward: dx[n, h, w, c] = dy[n, c] / (H*W).
// Bindings: 0 Params; 1 dy [N,C] f32; 2 dx [N,H,W,C] f32.
// Threads: one per input element over N*H*W*C, 256 per workgroup (2-D grid when large).

struct Params { hw: u32, c: u32, total: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.total) { return; }
  let c = i % p.c;
  let n = i / (p.c * p.hw);
  dx[i] = dy[n * p.c + c] / f32(p.hw);
}
