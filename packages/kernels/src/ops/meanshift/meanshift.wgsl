// Mean shift with a flat kernel, the official splice-localization procedure (EXIF-SC /
// exif-as-language `mean_shift`): points move one after another, in place; the neighbours of
// a point are the ORIGINAL points within the radius, and it moves to the mean of their CURRENT
// values. Distances come from maintained dot products, so a point costs O(m) to test instead
// of O(m d):
//   |p_i - x_j|^2 = |p_i|^2 - 2 q[i, j] + xn[j],  q = P X^T (current . original), xn[j] = |x_j|^2
// and because moving p_i to a mean of rows of P is linear, row i of q moves to the same mean of
// rows of q. The row [p_i | q_i] (d + m values) is the unit of work.
//
//   xn    [m]     |x_j|^2 of the originals
//   pts   [m, d]  current points P (starts as X)
//   q     [m, m]  P X^T (starts as X X^T)
//   stage [d + m] the new row of the point moved by the previous dispatch
//
//   step   one dispatch per point i, ceil((d + m) / 256) workgroups, one column of the row per
//          lane. First each lane commits its column of the previous point's staged row (rows
//          are written one dispatch late so that no workgroup overwrites row i while another
//          still reads it); then every workgroup (redundantly, O(d + m)) finds |p_i|^2 and the
//          neighbour bit set; then each lane averages its column over the neighbours into the
//          stage. Points without neighbours (possible once moved) stay where they are.
//          moving = 0 only commits (the last dispatch).
//   count  one thread per point: counts[i] = #{ j : |p_i - x_j|^2 <= r2 }.

struct Params { m: u32, d: u32, point: u32, prev: u32, hasPrev: u32, moving: u32, r2: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xn: array<f32>;
@group(0) @binding(2) var<storage, read_write> pts: array<f32>;
@group(0) @binding(3) var<storage, read_write> q: array<f32>;
@group(0) @binding(4) var<storage, read_write> stage: array<f32>;
@group(0) @binding(2) var<storage, read> ptsIn: array<f32>;
@group(0) @binding(3) var<storage, read> qIn: array<f32>;
@group(0) @binding(4) var<storage, read_write> counts: array<u32>;

const WG = 256u;
/** neighbour bits: m <= 32 * 256 = 8192 points */
const WORDS = 256u;
var<workgroup> bits: array<atomic<u32>, WORDS>;
var<workgroup> partial: array<f32, WG>;

fn rowValue(j: u32, c: u32) -> f32 {
  if (c < p.d) { return pts[j * p.d + c]; }
  return q[j * p.m + (c - p.d)];
}

fn setRowValue(j: u32, c: u32, v: f32) {
  if (c < p.d) { pts[j * p.d + c] = v; } else { q[j * p.m + (c - p.d)] = v; }
}

@compute @workgroup_size(256)
fn step(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let cols = p.d + p.m;
  let c = wid.x * WG + t;
  if (p.hasPrev != 0u && c < cols) { setRowValue(p.prev, c, stage[c]); }
  if (p.moving == 0u) { return; }
  let i = p.point;
  // |p_i|^2: row i was committed by an earlier dispatch.
  var s = 0.0;
  for (var k = t; k < p.d; k = k + WG) { let v = pts[i * p.d + k]; s = s + v * v; }
  partial[t] = s;
  for (var w = t; w < WORDS; w = w + WG) { atomicStore(&bits[w], 0u); }
  workgroupBarrier();
  var half = WG / 2u;
  loop {
    if (half == 0u) { break; }
    if (t < half) { partial[t] = partial[t] + partial[t + half]; }
    workgroupBarrier();
    half = half / 2u;
  }
  let pn = partial[0];
  for (var j = t; j < p.m; j = j + WG) {
    if (pn - 2.0 * q[i * p.m + j] + xn[j] <= p.r2) { atomicOr(&bits[j / 32u], 1u << (j % 32u)); }
  }
  storageBarrier();
  workgroupBarrier();
  if (c >= cols) { return; }
  var total = 0u;
  var acc = 0.0;
  let words = (p.m + 31u) / 32u;
  for (var w = 0u; w < words; w = w + 1u) {
    var word = atomicLoad(&bits[w]);
    total = total + countOneBits(word);
    loop {
      if (word == 0u) { break; }
      let j = w * 32u + firstTrailingBit(word);
      acc = acc + rowValue(j, c);
      word = word & (word - 1u);
    }
  }
  stage[c] = select(rowValue(i, c), acc / f32(total), total > 0u);
}

@compute @workgroup_size(256)
fn count(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.m) { return; }
  var pn = 0.0;
  for (var k = 0u; k < p.d; k = k + 1u) { let v = ptsIn[i * p.d + k]; pn = pn + v * v; }
  var n = 0u;
  for (var j = 0u; j < p.m; j = j + 1u) {
    n = n + select(0u, 1u, pn - 2.0 * qIn[i * p.m + j] + xn[j] <= p.r2);
  }
  counts[i] = n;
}
