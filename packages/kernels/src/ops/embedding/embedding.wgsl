// Embedding lookup (row gather): out[i, d] = table[ids[i], d] for ids[i] < vocab; a row whose
// id is out of range (>= vocab) is written as zeros (and its gradient is dropped by the
// backward), so a bad id never reads outside the table.
// Layout: table f32 [vocab, dim]; ids u32 [count]; out f32 [count, dim], all contiguous.
// One thread per output element (consecutive threads copy consecutive d of a row), 256 per
// workgroup, 2-D grid allowed (runtime grid()).

struct Params { count: u32, vocab: u32, dim: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * 256u;
  if (e >= p.count * p.dim) { return; }
  let i = e / p.dim;
  let d = e % p.dim;
  let id = ids[i];
  var v = 0.0;
  if (id < p.vocab) { v = table[id * p.dim + d]; }
  out[e] = v;
}
