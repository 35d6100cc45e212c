// Mean shift with a flat kernel, the official splice-localization procedure (EXIF-SC /
// exif-as-language `mean_shift`): points are the rows of the consistency volume.
//   xt     [d, m]  the ORIGINAL points, transposed (neighbours are always searched among them;
//                  the transposed layout makes the lanes of a subgroup read consecutive points)
//   pts    [m, d]  the CURRENT points, updated in place (a copy of the originals at first)
//   flags  [m]     scratch: 1 where original point j lies within the radius of the current point
//   counts [m]     (count) how many original points lie within the radius of each current point
//
//   seq    ONE workgroup, points start .. end - 1 one after another, as the official loop:
//          pts[i] = mean of pts[j] (current values) over { j : |pts[i] - xt[:, j]|^2 <= r2 }.
//          Sequential by definition (point i sees the points before it already moved), so the
//          parallelism is inside a point: lanes split the m distances, then the d coordinates.
//   count  one workgroup per point i: counts[i] = #{ j : |pts[i] - xt[:, j]|^2 <= r2 }.

struct Params { m: u32, d: u32, start: u32, end: u32, r2: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xt: array<f32>;
@group(0) @binding(2) var<storage, read_write> pts: array<f32>;
@group(0) @binding(3) var<storage, read_write> flags: array<u32>;
@group(0) @binding(2) var<storage, read> cur: array<f32>;
@group(0) @binding(3) var<storage, read_write> counts: array<u32>;

const WG = 256u;
var<workgroup> partial: array<u32, WG>;

fn sumPartials(t: u32) -> u32 {
  var w = WG / 2u;
  loop {
    if (w == 0u) { break; }
    if (t < w) { partial[t] = partial[t] + partial[t + w]; }
    workgroupBarrier();
    w = w / 2u;
  }
  return partial[0];
}

@compute @workgroup_size(256)
fn seq(@builtin(local_invocation_index) t: u32) {
  for (var i = p.start; i < p.end; i = i + 1u) {
    var n = 0u;
    for (var j = t; j < p.m; j = j + WG) {
      var s = 0.0;
      for (var k = 0u; k < p.d; k = k + 1u) {
        let e = pts[i * p.d + k] - xt[k * p.m + j];
        s = s + e * e;
      }
      let f = select(0u, 1u, s <= p.r2);
      flags[j] = f;
      n = n + f;
    }
    partial[t] = n;
    storageBarrier();
    workgroupBarrier();
    let total = f32(sumPartials(t));
    // Each lane owns coordinates k = t, t + WG, ...: it reads and writes only its own column,
    // so no lane sees another's half-written point.
    for (var k = t; k < p.d; k = k + WG) {
      var s = 0.0;
      for (var j = 0u; j < p.m; j = j + 1u) {
        if (flags[j] != 0u) { s = s + pts[j * p.d + k]; }
      }
      pts[i * p.d + k] = s / total;
    }
    storageBarrier();
    workgroupBarrier();
  }
}

@compute @workgroup_size(256)
fn count(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = wid.x + wid.y * nwg.x;
  // Every lane of the workgroup takes the same branch (i is per workgroup), so the barriers below stay uniform.
  let live = i < p.m;
  var n = 0u;
  if (live) {
    for (var j = t; j < p.m; j = j + WG) {
      var s = 0.0;
      for (var k = 0u; k < p.d; k = k + 1u) {
        let e = cur[i * p.d + k] - xt[k * p.m + j];
        s = s + e * e;
      }
      n = n + select(0u, 1u, s <= p.r2);
    }
  }
  partial[t] = n;
  workgroupBarrier();
  let total = sumPartials(t);
  if (live && t == 0u) { counts[i] = total; }
}
