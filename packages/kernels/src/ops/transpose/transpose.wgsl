// Batched 2-D transpose through a workgroup tile: out[b, c, r] = x[b, r, c].
// Layout: x contiguous f32 [batch, rows, cols]; out contiguous f32 [batch, cols, rows].
// Thread mapping: a 16x16 workgroup moves one 16x16 tile: it reads rows of x (consecutive
// threads read consecutive columns), stores them in workgroup memory, and writes rows of out
// (consecutive threads write consecutive output columns), so both global accesses are
// contiguous. The tile is padded to 17 columns so the transposed read avoids bank conflicts.
// Grid: x = column tiles, y = row tiles, z = batch.

const T: u32 = 16u;

struct Params { rows: u32, cols: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> tile: array<f32, 272>; // 16 x 17

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let base = wid.z * p.rows * p.cols;
  let r = wid.y * T + lid.y;
  let c = wid.x * T + lid.x;
  if (r < p.rows && c < p.cols) {
    tile[lid.y * (T + 1u) + lid.x] = x[base + r * p.cols + c];
  }
  workgroupBarrier();
  let oc = wid.x * T + lid.y; // output row (an x column)
  let orow = wid.y * T + lid.x; // output column (an x row)
  if (oc < p.cols && orow < p.rows) {
    out[base + oc * p.rows + orow] = tile[lid.x * (T + 1u) + lid.y];
  }
}
