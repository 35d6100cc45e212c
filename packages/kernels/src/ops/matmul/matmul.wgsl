// Batched matrix multiply with a fused epilogue; the portable, workgroup-tiled kernel (GPUs).
//
//   C[b] = act(alpha * op(A[b]) . op(B[b]) + bias) + (C_old[b] if accumulating)
//
// op(A) is [M, K]: A itself, or A^T when p.trans_a (A stored [K, M]); op(B) is [K, N]: B, or
// B^T when p.trans_b (B stored [N, K]). Row-major f32 throughout.
//
// Bindings: 0 Params; 1 A, batch item b at element b * p.stride_a (stride 0 broadcasts one
// matrix to the whole batch); 2 B, likewise with p.stride_b; 3 bias [N] (read only when
// p.has_bias != 0; the launcher binds a dummy otherwise); 4 C [batch, M, N], whose old value
// is added after the activation when p.accumulate != 0 (gradient accumulation, residuals).
// p.act selects the activation (see common/activation.wgsl, prepended by the launcher).
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

override CHECKED: bool = true;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  stride_a: u32,
  stride_b: u32,
  trans_a: u32,
  trans_b: u32,
  alpha: f32,
  has_bias: u32,
  accumulate: u32,
  act: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
// The same bindings seen as vec4 (main_vec4 only).
@group(0) @binding(1) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> c4: array<vec4<f32>>;

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

// alpha, bias and activation; the accumulate term is added by the caller.
fn finish4(acc: vec4<f32>, bias_v: vec4<f32>) -> vec4<f32> {
  return activate4(acc * p.alpha + bias_v, p.act);
}

// ---------------------------------------------------------------- vec4 entry point

fn load_a4(idx: u32, ok: bool) -> vec4<f32> {
  return select(vec4<f32>(0.0), a4[idx / 4u], !CHECKED || ok);
}

fn load_b4(idx: u32, ok: bool) -> vec4<f32> {
  return select(vec4<f32>(0.0), b4[idx / 4u], !CHECKED || ok);
}

@compute @workgroup_size(8, 8)
fn main_vec4(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let M = p.M;
  let N = p.N;
  let K = p.K;
  let tid = lid.y * 8u + lid.x;
  let m0 = wid.y * 32u;
  let n0 = wid.x * 32u;
  let base_a = wid.z * p.stride_a;
  let base_b = wid.z * p.stride_b;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < K; k0 += BK) {
    // Each thread stages two vec4 of each operand (128 per 32x16 slice).
    for (var s = 0u; s < 2u; s++) {
      let it = tid + 64u * s;
      if (p.trans_a != 0u) {
        // A is [K, M]: a vec4 is 4 rows at one k, stored as is.
        let k = it >> 3u;
        let m = m0 + 4u * (it & 7u);
        As[k * 8u + (it & 7u)] = load_a4(base_a + (k0 + k) * M + m, k0 + k < K && m < M);
      } else {
        // A is [M, K]: a vec4 is 4 k of one row, scattered to 4 k-rows of the staged tile.
        let r = it >> 2u;
        let kq = 4u * (it & 3u);
        let v = load_a4(base_a + (m0 + r) * K + k0 + kq, m0 + r < M && k0 + kq < K);
        As[(kq + 0u) * 8u + r / 4u][r % 4u] = v.x;
        As[(kq + 1u) * 8u + r / 4u][r % 4u] = v.y;
        As[(kq + 2u) * 8u + r / 4u][r % 4u] = v.z;
        As[(kq + 3u) * 8u + r / 4u][r % 4u] = v.w;
      }
      if (p.trans_b != 0u) {
        // B is [N, K]: a vec4 is 4 k of one column, scattered like A above.
        let col = it >> 2u;
        let kq = 4u * (it & 3u);
        let v = load_b4(base_b + (n0 + col) * K + k0 + kq, n0 + col < N && k0 + kq < K);
        Bs[(kq + 0u) * 8u + col / 4u][col % 4u] = v.x;
        Bs[(kq + 1u) * 8u + col / 4u][col % 4u] = v.y;
        Bs[(kq + 2u) * 8u + col / 4u][col % 4u] = v.z;
        Bs[(kq + 3u) * 8u + col / 4u][col % 4u] = v.w;
      } else {
        let k = it >> 3u;
        let n = n0 + 4u * (it & 7u);
        Bs[k * 8u + (it & 7u)] = load_b4(base_b + (k0 + k) * N + n, k0 + k < K && n < N);
      }
    }
    workgroupBarrier();
    multiply_staged(&acc, lid.y, lid.x);
    workgroupBarrier();
  }
  let n = n0 + 4u * lid.x;
  var bias_v = vec4<f32>(0.0);
  if (p.has_bias != 0u && (!CHECKED || n < N)) { bias_v = bias4[n / 4u]; }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + 4u * lid.y + i;
    if (!CHECKED || (m < M && n < N)) {
      let o = (wid.z * M * N + m * N + n) / 4u;
      var v = finish4(acc[i], bias_v);
      if (p.accumulate != 0u) { v += c4[o]; }
      c4[o] = v;
    }
  }
}

// ---------------------------------------------------------------- scalar entry point (any shape)

fn load_a(idx: u32, ok: bool) -> f32 {
  return select(0.0, a[idx], ok);
}

fn load_b(idx: u32, ok: bool) -> f32 {
  return select(0.0, b[idx], ok);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let M = p.M;
  let N = p.N;
  let K = p.K;
  let tid = lid.y * 8u + lid.x;
  let m0 = wid.y * 32u;
  let n0 = wid.x * 32u;
  let base_a = wid.z * p.stride_a;
  let base_b = wid.z * p.stride_b;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < K; k0 += BK) {
    // 8 elements of each operand per thread; consecutive threads walk the contiguous axis.
    for (var s = 0u; s < 8u; s++) {
      let e = tid + 64u * s;
      var r: u32;
      var k: u32;
      var v: f32;
      if (p.trans_a != 0u) {
        k = e / 32u;
        r = e % 32u;
        v = load_a(base_a + (k0 + k) * M + m0 + r, k0 + k < K && m0 + r < M);
      } else {
        r = e / BK;
        k = e % BK;
        v = load_a(base_a + (m0 + r) * K + k0 + k, m0 + r < M && k0 + k < K);
      }
      As[k * 8u + r / 4u][r % 4u] = v;
      if (p.trans_b != 0u) {
        r = e / BK;
        k = e % BK;
        v = load_b(base_b + (n0 + r) * K + k0 + k, n0 + r < N && k0 + k < K);
      } else {
        k = e / 32u;
        r = e % 32u;
        v = load_b(base_b + (k0 + k) * N + n0 + r, k0 + k < K && n0 + r < N);
      }
      Bs[k * 8u + r / 4u][r % 4u] = v;
    }
    workgroupBarrier();
    multiply_staged(&acc, lid.y, lid.x);
    workgroupBarrier();
  }
  for (var j = 0u; j < 4u; j++) {
    let n = n0 + 4u * lid.x + j;
    if (n < N) {
      let bias_v = select(0.0, bias[n], p.has_bias != 0u);
      for (var i = 0u; i < 4u; i++) {
        let m = m0 + 4u * lid.y + i;
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
