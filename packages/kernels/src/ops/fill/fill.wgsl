// Fill / ramp: out[i] = start + step * i (a constant when step = 0, arange otherwise).
//   main      f32 output: start, step are f32; step = 0 writes `start` exactly (also -0, inf, NaN)
//   main_u32  u32 output: start_u + step_u * i (wrapping u32 arithmetic), e.g. index ramps
// Layout: out contiguous, n elements. One thread per element, 256 per workgroup, 2-D grid
// allowed (runtime grid()).

struct Params { n: u32, start: f32, step: f32, start_u: u32, step_u: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> out_u: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  out[i] = select(p.start + p.step * f32(i), p.start, p.step == 0.0);
}

@compute @workgroup_size(256)
fn main_u32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  out_u[i] = p.start_u + p.step_u * i;
}
