// Batched matrix multiply with a fused epilogue; the portable, workgroup-tiled kernel (GPUs).
//
//   C[b] = act(alpha * op(A[b]) . op(B[b]) + bias) + (C_old[b] if accumulating)
//
// op(A) is [M, K]: A itself, or A^T when p.trans_a (A stored [K, M]); op(B) is [K, N]: B, or
// B^T when p.trans_b (B stored [N, K]). Row-major f32 throughout.
//
// Bindings, Params, vec4 views and the vec4 epilogue: matmul_io.wgsl (prepended by the
// launcher, with common/activation.wgsl); this file adds the scalar views.
//
// Thread mapping: 8x8 threads per workgroup compute a 32x32 tile of C of batch item wid.z;
// thread (x, y) owns tile rows 4y..4y+3 and columns 4x..4x+3 (a 4x4 register tile held as
// one vec4 accumulator per row). K advances 16 at a time: the workgroup stages the 32x16 slice
// of op(A) and the 16x32 slice of op(B) in workgroup memory, k-major, as vec4s of 4 rows / 4
// columns, so each k step of the inner loop is 2 vec4 reads and 4 vec4 FMAs per thread.
//
// Entry points: `main_vec4` reads every binding as vec4 (the launcher uses it when the
// contiguous axis of A and B, and N, are multiples of 4); with the override CHECKED=false it
// compiles without any bounds check, for M and N multiples of 32 and K a multiple of 16.
// `main` takes any shape: scalar reads, every access checked. (The view type is a property of
// the binding, so it takes two entry points rather than one more override.) The transposes
// only change how tiles are staged, outside the inner loop, so they are uniform flags rather
// than overrides: 3 pipelines instead of 12, which matters on lavapipe where compiling one
// takes seconds (GPUs branch on a uniform for free).

@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

const BK: u32 = 16u;
// As[k * 8 + i] = op(A) tile rows 4i..4i+3 at k; Bs[k * 8 + j] = op(B) tile columns 4j..4j+3.
var<workgroup> As: array<vec4<f32>, 128>;
var<workgroup> Bs: array<vec4<f32>, 128>;

fn multiply_staged(acc: ptr<function, array<vec4<f32>, 4>>, ty: u32, tx: u32) {
  for (var k = 0u; k < BK; k++) {
    let av = As[k * 8u + ty];
    let bv = Bs[k * 8u + tx];
    (*acc)[0] = fma(vec4(av.x), bv, (*acc)[0]);
    (*acc)[1] = fma(vec4(av.y), bv, (*acc)[1]);
    (*acc)[2] = fma(vec4(av.z), bv, (*acc)[2]);
    (*acc)[3] = fma(vec4(av.w), bv, (*acc)[3]);
  }
}

// Where a workgroup's tile starts, and which thread of it this is.
struct Tile {
  tid: u32,
  m0: u32,
  n0: u32,
  base_a: u32,
  base_b: u32,
}

fn tile_of(lid: vec3<u32>, wid: vec3<u32>) -> Tile {
  return Tile(lid.y * 8u + lid.x, wid.y * 32u, wid.x * 32u, wid.z * p.stride_a, wid.z * p.stride_b);
}

// ---------------------------------------------------------------- vec4 entry point

// Stages op(A)[m0.., k0..k0+15] and op(B)[k0.., n0..] through vec4 reads: two of each per
// thread (128 vec4 per 32x16 slice).
fn stage_vec4(t: Tile, k0: u32) {
  let M = p.M;
  let N = p.N;
  let K = p.K;
  for (var s = 0u; s < 2u; s++) {
    let it = t.tid + 64u * s;
    if (p.trans_a != 0u) {
      // A is [K, M]: a vec4 is 4 rows at one k, stored as is.
      let k = it >> 3u;
      let m = t.m0 + 4u * (it & 7u);
      As[k * 8u + (it & 7u)] = load_a4(t.base_a + (k0 + k) * M + m, k0 + k < K && m < M);
    } else {
      // A is [M, K]: a vec4 is 4 k of one row, scattered to 4 k-rows of the staged tile.
      let r = it >> 2u;
      let kq = 4u * (it & 3u);
      let v = load_a4(t.base_a + (t.m0 + r) * K + k0 + kq, t.m0 + r < M && k0 + kq < K);
      for (var q = 0u; q < 4u; q++) { As[(kq + q) * 8u + r / 4u][r % 4u] = v[q]; }
    }
    if (p.trans_b != 0u) {
      // B is [N, K]: a vec4 is 4 k of one column, scattered like A above.
      let col = it >> 2u;
      let kq = 4u * (it & 3u);
      let v = load_b4(t.base_b + (t.n0 + col) * K + k0 + kq, t.n0 + col < N && k0 + kq < K);
      for (var q = 0u; q < 4u; q++) { Bs[(kq + q) * 8u + col / 4u][col % 4u] = v[q]; }
    } else {
      let k = it >> 3u;
      let n = t.n0 + 4u * (it & 7u);
      Bs[k * 8u + (it & 7u)] = load_b4(t.base_b + (k0 + k) * N + n, k0 + k < K && n < N);
    }
  }
}

@compute @workgroup_size(8, 8)
fn main_vec4(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let t = tile_of(lid, wid);
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    stage_vec4(t, k0);
    workgroupBarrier();
    multiply_staged(&acc, lid.y, lid.x);
    workgroupBarrier();
  }
  let n = t.n0 + 4u * lid.x;
  for (var i = 0u; i < 4u; i++) {
    let m = t.m0 + 4u * lid.y + i;
    if (!CHECKED || (m < p.M && n < p.N)) { epilogue4(acc[i], wid.z, m, n); }
  }
}

// ---------------------------------------------------------------- scalar entry point (any shape)

fn load_a(idx: u32, ok: bool) -> f32 {
  return select(0.0, a[idx], ok);
}

fn load_b(idx: u32, ok: bool) -> f32 {
  return select(0.0, b[idx], ok);
}

// Stages the same slices as stage_vec4 with checked scalar reads, 8 of each per thread;
// consecutive threads walk the operand's contiguous axis.
fn stage_scalar(t: Tile, k0: u32) {
  let M = p.M;
  let N = p.N;
  let K = p.K;
  for (var s = 0u; s < 8u; s++) {
    let e = t.tid + 64u * s;
    // (r, k): tile row of op(A) / column of op(B), and k within the slice.
    var r = e / BK;
    var k = e % BK;
    if (p.trans_a != 0u) {
      r = e % 32u;
      k = e / 32u;
    }
    let ma = t.m0 + r;
    let ia = select(ma * K + k0 + k, (k0 + k) * M + ma, p.trans_a != 0u);
    As[k * 8u + r / 4u][r % 4u] = load_a(t.base_a + ia, ma < M && k0 + k < K);
    r = e % 32u;
    k = e / 32u;
    if (p.trans_b != 0u) {
      r = e / BK;
      k = e % BK;
    }
    let nb = t.n0 + r;
    let ib = select((k0 + k) * N + nb, nb * K + k0 + k, p.trans_b != 0u);
    Bs[k * 8u + r / 4u][r % 4u] = load_b(t.base_b + ib, nb < N && k0 + k < K);
  }
}

@compute @workgroup_size(8, 8)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let t = tile_of(lid, wid);
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    stage_scalar(t, k0);
    workgroupBarrier();
    multiply_staged(&acc, lid.y, lid.x);
    workgroupBarrier();
  }
  let M = p.M;
  let N = p.N;
  for (var j = 0u; j < 4u; j++) {
    let n = t.n0 + 4u * lid.x + j;
    if (n < N) {
      let bias_v = select(0.0, bias[n], p.has_bias != 0u);
      for (var i = 0u; i < 4u; i++) {
        let m = t.m0 + 4u * lid.y + i;
        if (m < M) {
          let o = wid.z * M * N + m * N + n;
          var v = activate(acc[i][j] * p.alpha + bias_v, p.act);
          if (p.accumulate != 0u) { v += c[o]; }
          c[o] = v;
        }
      }
    }
  }
}
