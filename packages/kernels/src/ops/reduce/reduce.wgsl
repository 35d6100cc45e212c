// Reduction over the middle axis of x viewed as [outer, axis, inner]:
//   out[o, j] = combine_k x[o, k, j]   (sum, max or min; `square` squares each element first,
//   for sums of squares; the result is divided by `divisor`, which is the axis length for mean).
// Layout: x contiguous f32 [outer, axis, inner]; out f32, written at out_offset + o*inner + j.
// With splits > 1 (long axes over few outputs) this is the first of two passes: workgroup split s
// reduces axis range [s*chunk, (s+1)*chunk) and writes a partial into out laid out as
// [outer, splits, inner], which the launcher reduces again over its middle axis.
// Thread mapping: 256 threads per workgroup = TX output lanes x TY = 256/TX axis lanes
// (l = ty*TX + tx, TX = 1 << tx_shift). Lanes cover the flattened outputs q = o*inner + j, so inner >= 32 reads
// coalesced runs along j while inner == 1 gives all 256 threads to one long row. Each thread
// folds its strided share of the axis serially (Kahan-compensated for sums), then the TY
// partials are combined by a fixed tree in workgroup memory: the order depends only on the
// shape, so results are deterministic. Workgroup w = blk*splits + s (2-D grid allowed).
// main_arg: argmax / argmin (COMBINE 1 / 2) writing u32 axis indices, the first index on ties;
// never split. NaN inputs: unspecified for max/min/argmax (they are not propagated).

// COMBINE is the only override (it sits in the inner loop); the layout (tx_shift) and the
// squaring are uniforms, so a handful of pipelines serve every shape: each pipeline costs
// seconds to compile on lavapipe.
override COMBINE: u32 = 0u; // 0 sum, 1 max, 2 min

struct Params {
  outputs: u32,    // outer * inner
  axis: u32,
  inner: u32,
  chunk: u32,      // axis elements per split
  splits: u32,
  out_offset: u32,
  divisor: f32,
  init: f32,       // identity of the combine: 0, -inf, +inf
  tx_shift: u32,   // log2 TX
  square: u32,     // 1: square each element first
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
// main_arg: u32 indices.
@group(0) @binding(2) var<storage, read_write> out_idx: array<u32>;

var<workgroup> sv: array<f32, 256>;
var<workgroup> si: array<u32, 256>;

fn combine(u: f32, v: f32) -> f32 {
  switch COMBINE {
    case 1u: { return max(u, v); }
    case 2u: { return min(u, v); }
    default: { return u + v; }
  }
}

// Whether (v, k) beats (bv, bk) for argmax/argmin: strictly better, or equal with a smaller index.
fn better(v: f32, k: u32, bv: f32, bk: u32) -> bool {
  let strictly = select(v > bv, v < bv, COMBINE == 2u);
  return strictly || (v == bv && k < bk);
}

struct Lane { tx: u32, ty: u32, ty_count: u32, q: u32, base: u32, k0: u32, k1: u32, s: u32, valid: bool, }

// Which output this thread serves and which slice of the axis it walks.
fn lane(l: u32, w: u32) -> Lane {
  var ln: Lane;
  ln.tx = l & ((1u << p.tx_shift) - 1u);
  ln.ty = l >> p.tx_shift;
  ln.ty_count = 256u >> p.tx_shift;
  ln.s = w % p.splits;
  ln.q = ((w / p.splits) << p.tx_shift) + ln.tx;
  ln.valid = ln.q < p.outputs;
  let o = ln.q / p.inner;
  ln.base = o * p.axis * p.inner + ln.q % p.inner;
  ln.k0 = ln.s * p.chunk + ln.ty;
  ln.k1 = min((ln.s + 1u) * p.chunk, p.axis);
  return ln;
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) l: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let ln = lane(l, wid.x + wid.y * nwg.x);
  var acc = p.init;
  var comp = 0.0; // Kahan: low-order part lost by acc (sums only)
  if (ln.valid) {
    for (var k = ln.k0; k < ln.k1; k += ln.ty_count) {
      var v = x[ln.base + k * p.inner];
      if (p.square != 0u) { v = v * v; }
      if (COMBINE == 0u) {
        let yk = v - comp;
        let t = acc + yk;
        comp = (t - acc) - yk;
        acc = t;
      } else {
        acc = combine(acc, v);
      }
    }
  }
  sv[l] = acc - comp;
  workgroupBarrier();
  for (var h = 128u >> p.tx_shift; h > 0u; h = h / 2u) { // TY / 2 (uniform: barriers inside)
    if (ln.ty < h) { sv[l] = combine(sv[l], sv[l + (h << p.tx_shift)]); }
    workgroupBarrier();
  }
  if (ln.ty == 0u && ln.valid) {
    if (p.splits == 1u) {
      out[p.out_offset + ln.q] = sv[l] / p.divisor;
    } else {
      let o = ln.q / p.inner;
      out[(o * p.splits + ln.s) * p.inner + ln.q % p.inner] = sv[l];
    }
  }
}

@compute @workgroup_size(256)
fn main_arg(@builtin(local_invocation_index) l: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let ln = lane(l, wid.x + wid.y * nwg.x); // splits == 1 here
  var bv = p.init;
  var bk = 0xffffffffu;
  if (ln.valid) {
    for (var k = ln.k0; k < ln.k1; k += ln.ty_count) {
      let v = x[ln.base + k * p.inner];
      if (better(v, k, bv, bk)) {
        bv = v;
        bk = k;
      }
    }
  }
  sv[l] = bv;
  si[l] = bk;
  workgroupBarrier();
  for (var h = 128u >> p.tx_shift; h > 0u; h = h / 2u) { // TY / 2 (uniform: barriers inside)
    if (ln.ty < h && better(sv[l + (h << p.tx_shift)], si[l + (h << p.tx_shift)], sv[l], si[l])) {
      sv[l] = sv[l + (h << p.tx_shift)];
      si[l] = si[l + (h << p.tx_shift)];
    }
    workgroupBarrier();
  }
  if (ln.ty == 0u && ln.valid) { out_idx[p.out_offset + ln.q] = si[l]; }
}
