// Element-wise dtype conversion between f32, u32 and i32 (FROM / TO: 0 f32, 1 u32, 2 i32).
//   int -> f32: nearest f32 (exact below 2^24)
//   f32 -> int: truncation toward zero, saturating (WGSL conversion semantics: the range is
//               [0, 2^32 - 256] / [-2^31, 2^31 - 128]; NaN gives an unspecified value)
//   u32 <-> i32: two's-complement reinterpretation (wraps, like a C cast)
// Layout: x, y contiguous 4-byte elements, handled as raw u32 bits. One thread per element,
// 256 per workgroup, 2-D grid allowed (runtime grid()).

override FROM: u32 = 0u;
override TO: u32 = 0u;

struct Params { n: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

fn convert(bits: u32) -> u32 {
  if (FROM == 0u && TO != 0u) {
    let v = bitcast<f32>(bits);
    return select(bitcast<u32>(i32(v)), u32(v), TO == 1u);
  }
  if (FROM != 0u && TO == 0u) {
    return bitcast<u32>(select(f32(bitcast<i32>(bits)), f32(bits), FROM == 1u));
  }
  return bits; // same type, or u32 <-> i32
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  y[i] = convert(x[i]);
}
