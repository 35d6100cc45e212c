// One pass of radix selection (the k-th smallest of n floats, exactly, in 4 passes of 8 bits):
//   hist[b] += #{ i < n : key(x[i]) >> (shift + 8) == prefix >> (shift + 8), (key >> shift) & 255 == b }
// key() maps f32 bits to u32 so that unsigned order is float order (negatives flipped).
// For shift = 24 the prefix test is empty (all elements count). hist [256] u32 must be zeroed.
// Layout: x contiguous [n]; 256 threads per workgroup, each thread strides over the input,
// counts go to a workgroup histogram first (one global atomic per bin per workgroup).

struct Params { n: u32, shift: u32, prefix: u32, groups: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> hist: array<atomic<u32>>;

var<workgroup> local: array<atomic<u32>, 256>;

fn key(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  atomicStore(&local[t], 0u);
  workgroupBarrier();
  let hiShift = p.shift + 8u;
  let stride = p.groups * 256u;
  for (var i = wid.x * 256u + t; i < p.n; i = i + stride) {
    let k = key(x[i]);
    // shift + 8 = 32 would be an out-of-range shift: at the top digit every element counts.
    let inPrefix = hiShift >= 32u || (k >> hiShift) == (p.prefix >> hiShift);
    if (inPrefix) { atomicAdd(&local[(k >> p.shift) & 255u], 1u); }
  }
  workgroupBarrier();
  let c = atomicLoad(&local[t]);
  if (c != 0u) { atomicAdd(&hist[t], c); }
}
