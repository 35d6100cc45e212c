// Moves elements between a contiguous "region" tensor and a box inside a larger contiguous
// tensor ("big"): the box starts at `base` (flat offset of its first element in big) and has
// rank <= 6 collapsed dims of sizes sz*, stepping through big with element strides st*.
//   main_gather  (slice):            dst[i] = src[box(i)]       src = big, dst = region
//   main_scatter (slice backward,    dst[box(i)] = src[i]       src = region, dst = big
//                 concat, assign):   (dst[box(i)] += src[i] with ACCUMULATE)
// box(i) = base + sum_k c_k(i) * st_k with c(i) the coordinates of i in the region.
// One thread per region element, 256 per workgroup, 2-D grid allowed (runtime grid()). Every
// big element is touched by at most one thread, so the scatter needs no atomics.

override ACCUMULATE: bool = false;

struct Params {
  n: u32, base: u32, rank: u32,
  sz0: u32, sz1: u32, sz2: u32, sz3: u32, sz4: u32, sz5: u32,
  st0: u32, st1: u32, st2: u32, st3: u32, st4: u32, st5: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn box_index(i: u32) -> u32 {
  let sz = array<u32, 6>(p.sz0, p.sz1, p.sz2, p.sz3, p.sz4, p.sz5);
  let st = array<u32, 6>(p.st0, p.st1, p.st2, p.st3, p.st4, p.st5);
  var rem = i;
  var idx = p.base;
  for (var k = i32(p.rank) - 1; k >= 0; k--) {
    idx += (rem % sz[k]) * st[k];
    rem = rem / sz[k];
  }
  return idx;
}

@compute @workgroup_size(256)
fn main_gather(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  dst[i] = src[box_index(i)];
}

@compute @workgroup_size(256)
fn main_scatter(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let j = box_index(i);
  if (ACCUMULATE) {
    dst[j] = dst[j] + src[i];
  } else {
    dst[j] = src[i];
  }
}
