// Workgroup reductions shared by the one-workgroup-per-row kernels (layernorm*, softmax*).
// Not a kernel on its own: rowKernel() in rows.ts prepends this text to each of them.
// WG (override, a power of two) is the workgroup size; a row's threads each reduce their own
// columns first, then these tree reductions combine the WG partial values in a fixed order
// (deterministic). Every thread gets the result; all threads of the workgroup must call them
// (they contain barriers).

override WG: u32 = 256u;

var<workgroup> red: array<f32, WG>;

fn workgroup_reduce(v: f32, l: u32, is_max: bool) -> f32 {
  red[l] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (l < s) { red[l] = select(red[l] + red[l + s], max(red[l], red[l + s]), is_max); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier(); // red is reused by the next reduction
  return r;
}

fn workgroup_sum(v: f32, l: u32) -> f32 { return workgroup_reduce(v, l, false); }

fn workgroup_max(v: f32, l: u32) -> f32 { return workgroup_reduce(v, l, true); }

// The row of this workgroup: rows are laid over a 2-D grid when there are more than 65535.
fn row_of(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return wid.x + wid.y * nwg.x; }
