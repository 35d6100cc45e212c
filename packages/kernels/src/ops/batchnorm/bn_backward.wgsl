// Batch-norm (training mode) backward for the input, over x, dy [M, C] (channel last):
//   dx[r, c] = gamma[c] * invstd[c] * (g[r, c] - (dbeta[c] + xhat[r, c] * dgamma[c]) / M)
// where xhat = (x - mean) * invstd, g = dy (or dy masked by y > 0 in `main_relu`, for a forward
// with the fused ReLU; y is its output), and dbeta = sum_r g, dgamma = sum_r g * xhat are the
// per-channel sums from affine_grad.wgsl (the standard formula: the batch statistics depend on
// every row, which the two mean terms account for).
// Bindings: 0 Params; 1 dy [M, C] f32; 2 x [M, C] f32; 3 stats [2, C] f32 (mean then invstd);
//   4 gamma [C] f32; 5 dgamma [C] f32; 6 dbeta [C] f32; 7 dx [M, C] f32 (written);
//   `main_relu` adds 8 y [M, C] f32.
// Threads: one per element over M*C, 256 per workgroup (2-D grid when large); channel = i % C.

struct Params { total: u32, c: u32, rows: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> stats: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> dgamma: array<f32>;
@group(0) @binding(6) var<storage, read> dbeta: array<f32>;
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;
@group(0) @binding(8) var<storage, read> y: array<f32>;

fn write(i: u32, g: f32) {
  let c = i % p.c;
  let invstd = stats[p.c + c];
  let xhat = (x[i] - stats[c]) * invstd;
  let m = f32(p.rows);
  dx[i] = gamma[c] * invstd * (g - (dbeta[c] + xhat * dgamma[c]) / m);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.total) { return; }
  write(i, dy[i]);
}

@compute @workgroup_size(256)
fn main_relu(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.total) { return; }
  write(i, select(0.0, dy[i], y[i] > 0.0));
}
