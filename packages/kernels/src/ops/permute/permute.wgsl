// General permute (transpose of arbitrary axes): out[i] = x[src(i)], where the output is
// contiguous and src(i) walks x with permuted strides.
// Layout: x contiguous f32; out contiguous f32 in the permuted order. The launcher collapses
// the index space (dims adjacent in both orders merge), so the kernel sees rank <= 6 output
// dims with sizes sz* and the x element stride st* of each. One thread per output element
// (writes coalesced, reads strided), 256 per workgroup, 2-D grid allowed (runtime grid()).
// Plain 2-D and batched 2-D transposes go to transpose.wgsl (tiled) instead.

struct Params {
  n: u32, rank: u32,
  sz0: u32, sz1: u32, sz2: u32, sz3: u32, sz4: u32, sz5: u32,
  st0: u32, st1: u32, st2: u32, st3: u32, st4: u32, st5: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let sz = array<u32, 6>(p.sz0, p.sz1, p.sz2, p.sz3, p.sz4, p.sz5);
  let st = array<u32, 6>(p.st0, p.st1, p.st2, p.st3, p.st4, p.st5);
  var rem = i;
  var src = 0u;
  for (var k = i32(p.rank) - 1; k >= 0; k--) {
    src += (rem % sz[k]) * st[k];
    rem = rem / sz[k];
  }
  out[i] = x[src];
}
