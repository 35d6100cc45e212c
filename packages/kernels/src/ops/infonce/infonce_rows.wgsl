// Shared by infonce_normalize and infonce_normalize_backward (prepended by infonce.ts): both
// run one workgroup of 64 threads per embedding row, rows 0..N-1 of the image matrix then
// N..2N-1 of the text matrix, and reduce a sum over D in workgroup memory.

struct Params { N: u32, D: u32, }

@group(0) @binding(0) var<uniform> p: Params;

var<workgroup> part: array<f32, 64>;

// The row of this workgroup (the grid may be 2-D, see runtime grid()).
fn row_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// Offset of row r's first element in its own matrix (img for r < N, txt after).
fn row_offset(r: u32) -> u32 {
  return select(r - p.N, r, r < p.N) * p.D;
}

// Sum of `x` over the 64 threads, in a fixed order (deterministic); every thread gets it.
// Call from uniform control flow.
fn workgroup_sum(tid: u32, x: f32) -> f32 {
  part[tid] = x;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (tid < w) { part[tid] += part[tid + w]; }
    workgroupBarrier();
  }
  let total = part[0];
  workgroupBarrier();  // part may be reused after this
  return total;
}
