// Gradients of a normalization's affine parameters, reduced over rows, for x, dy [M, C]:
//   dbeta[c]  = sum over r of g[r, c]
//   dgamma[c] = sum over r of g[r, c] * xhat[r, c],   xhat = (x - mean) * invstd
// with g = dy, or dy masked by y > 0 in `partial_relu` (batch norm with a fused ReLU: y is the
// forward output). The normalization statistics come packed as stats [2, K] (mean then invstd):
//   PER_ROW = 0 (batch norm):  K = C, indexed by channel c;
//   PER_ROW = 1 (layer norm):  K = M, indexed by row r.
// These sums are also the two per-channel reductions that batch norm's dx needs.
// Two stages, deterministic (fixed order, no atomics):
//   `partial` / `partial_relu`: workgroup (tile, b) takes channels [64*tile, 64*tile + 64) and
//     rows [b*R, min(M, (b+1)*R)); thread (lx, ly) sums rows b*R + ly, + 4, ... of its channel;
//     the 4 row lanes are added in lane order into part[b*C + c] = (sum g, sum g*xhat).
//   `finalize`: one thread per channel adds the nblocks partials in block order.
// Bindings, `partial`: 0 Params; 1 dy [M, C] f32; 2 x [M, C] f32; 3 stats [2, K] f32;
//   4 part [nblocks, C] vec2<f32> (written); `partial_relu` adds 5 y [M, C] f32.
// Bindings, `finalize`: 0 Params; 1 part [nblocks, C] vec2<f32>; 2 dgamma [C] f32;
//   3 dbeta [C] f32.
// Threads: `partial*` workgroup 64x4 over grid (ceil(C/64), nblocks); `finalize` 64 threads per
//   workgroup over ceil(C/64) workgroups.

override PER_ROW: u32 = 0u;

struct Params { rows: u32, c: u32, block_rows: u32, nblocks: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> stats: array<f32>;
@group(0) @binding(4) var<storage, read_write> part_out: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read> y: array<f32>;

@group(0) @binding(1) var<storage, read> part_in: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbeta: array<f32>;

const TC: u32 = 64u; // channels per workgroup
const TR: u32 = 4u;  // row lanes per workgroup

var<workgroup> lanes: array<vec2<f32>, 256>;

// (g, g * xhat) for element i = r*C + c.
fn term(g: f32, i: u32, r: u32, c: u32) -> vec2<f32> {
  let k = select(c, r, PER_ROW != 0u);
  let len = select(p.c, p.rows, PER_ROW != 0u);
  return vec2<f32>(g, g * (x[i] - stats[k]) * stats[len + k]);
}

// Adds the 4 row lanes of the workgroup in order and writes the block's partial sums.
fn store(acc: vec2<f32>, wid: vec3<u32>, lid: vec3<u32>) {
  lanes[lid.y * TC + lid.x] = acc;
  workgroupBarrier();
  let c = wid.x * TC + lid.x;
  if (lid.y == 0u && c < p.c) {
    var s = lanes[lid.x];
    for (var l = 1u; l < TR; l++) { s += lanes[l * TC + lid.x]; }
    part_out[wid.y * p.c + c] = s;
  }
}

@compute @workgroup_size(64, 4)
fn partial(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x * TC + lid.x;
  var acc = vec2<f32>(0.0);
  if (c < p.c) {
    let end = min(p.rows, (wid.y + 1u) * p.block_rows);
    for (var r = wid.y * p.block_rows + lid.y; r < end; r += TR) {
      let i = r * p.c + c;
      acc += term(dy[i], i, r, c);
    }
  }
  store(acc, wid, lid);
}

@compute @workgroup_size(64, 4)
fn partial_relu(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x * TC + lid.x;
  var acc = vec2<f32>(0.0);
  if (c < p.c) {
    let end = min(p.rows, (wid.y + 1u) * p.block_rows);
    for (var r = wid.y * p.block_rows + lid.y; r < end; r += TR) {
      let i = r * p.c + c;
      acc += term(select(0.0, dy[i], y[i] > 0.0), i, r, c);
    }
  }
  store(acc, wid, lid);
}

@compute @workgroup_size(64)
fn finalize(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.c) { return; }
  var s = vec2<f32>(0.0);
  for (var b = 0u; b < p.nblocks; b++) { s += part_in[b * p.c + c]; }
  dbeta[c] = s.x;
  dgamma[c] = s.y;
}
