// Batch-norm training statistics over x [M, C] (NHWC flattened: M = N*H*W rows, channel last),
// in two stages so that M ~ 250k rows still spreads over many workgroups and the result does
// not depend on scheduling (no atomics, fixed combination order):
//
// `partial`: workgroup (tile, b) takes channels [64*tile, 64*tile + 64) and rows
//   [b*R, min(M, (b+1)*R)) (R = block_rows). Thread (lx, ly) runs Welford's update over rows
//   b*R + ly, b*R + ly + 4, ... of channel 64*tile + lx (numerically robust: it tracks the
//   running mean and the sum of squared deviations M2, never sum(x^2) - sum(x)^2); the 4 row
//   lanes are then merged with Chan's pairwise formula in lane order and written as
//   part[b*C + c] = (mean - shift, M2) of the block. The data are shifted by shift[c] = x[0, c]
//   (any value near the mean would do) so that a large common offset (mean >> std) costs no
//   precision in the accumulated mean: only the final mean = shift + shifted mean is rounded.
// `finalize`: one thread per channel merges the blocks' (mean, M2) in block order (Chan), then
//   stats[c]     = mean = shift + merged mean
//   stats[C + c] = invstd = 1 / sqrt(M2 / M + eps)                         (biased variance)
//   running_mean = (1 - momentum) * running_mean + momentum * mean           (in place)
//   running_var  = (1 - momentum) * running_var  + momentum * M2 / (M - 1)   (unbiased, PyTorch)
//   The launcher rejects M < 2 (PyTorch: "expected more than 1 value per channel").
//
// Bindings, `partial`:  0 Params; 1 x [M, C] f32; 2 part [nblocks, C] vec2<f32> (written).
// Bindings, `finalize`: 0 Params; 1 part [nblocks, C] vec2<f32>; 2 stats [2, C] f32 (written:
//   mean then invstd); 3 running_mean [C] f32 (updated); 4 running_var [C] f32 (updated);
//   5 x [M, C] f32 (for the shift, row 0).
// Threads: `partial` workgroup 64x4 over grid (ceil(C/64), nblocks); `finalize` 64 threads per
//   workgroup, one per channel, over ceil(C/64) workgroups.

struct Params {
  rows: u32,
  c: u32,
  block_rows: u32,
  nblocks: u32,
  eps: f32,
  momentum: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> part_out: array<vec2<f32>>;

@group(0) @binding(1) var<storage, read> part_in: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(4) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(5) var<storage, read> x_shift: array<f32>;

const TC: u32 = 64u; // channels per workgroup
const TR: u32 = 4u;  // row lanes per workgroup

// Chan et al.'s merge of two (count, mean, M2) summaries; empty summaries are neutral.
fn merge(a: vec3<f32>, b: vec3<f32>) -> vec3<f32> {
  if (b.x == 0.0) { return a; }
  if (a.x == 0.0) { return b; }
  let n = a.x + b.x;
  let d = b.y - a.y;
  let fb = b.x / n;
  return vec3<f32>(n, a.y + d * fb, a.z + b.z + d * d * a.x * fb);
}

var<workgroup> lanes: array<vec3<f32>, 256>;

@compute @workgroup_size(64, 4)
fn partial(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x * TC + lid.x;
  var s = vec3<f32>(0.0);
  if (c < p.c) {
    let shift = x[c];
    let end = min(p.rows, (wid.y + 1u) * p.block_rows);
    for (var r = wid.y * p.block_rows + lid.y; r < end; r += TR) {
      let v = x[r * p.c + c] - shift;
      s.x += 1.0;
      let d = v - s.y;
      s.y += d / s.x;
      s.z += d * (v - s.y);
    }
  }
  lanes[lid.y * TC + lid.x] = s;
  workgroupBarrier();
  if (lid.y == 0u && c < p.c) {
    var m = lanes[lid.x];
    for (var l = 1u; l < TR; l++) { m = merge(m, lanes[l * TC + lid.x]); }
    part_out[wid.y * p.c + c] = m.yz;
  }
}

@compute @workgroup_size(64)
fn finalize(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.c) { return; }
  var m = vec3<f32>(0.0);
  for (var b = 0u; b < p.nblocks; b++) {
    let n = min(p.block_rows, p.rows - b * p.block_rows);
    m = merge(m, vec3<f32>(f32(n), part_in[b * p.c + c]));
  }
  let count = f32(p.rows);
  let mean = x_shift[c] + m.y;
  stats[c] = mean;
  stats[p.c + c] = 1.0 / sqrt(m.z / count + p.eps);
  running_mean[c] = (1.0 - p.momentum) * running_mean[c] + p.momentum * mean;
  running_var[c] = (1.0 - p.momentum) * running_var[c] + p.momentum * (m.z / (count - 1.0));
}
