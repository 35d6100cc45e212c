// InfoNCE, step 3: the statistics of every row and every column of the logits L = s * S,
// where S = an . bn^T is the [N, N] cosine matrix (row i: image i against all texts; column j:
// text j against all images; the diagonal holds the matching pairs).
//
//   stats[line] = (lse, expS, hit, diag)
//     lse  = logsumexp_k L[line, k]                         (row) or over L[k, line] (column)
//     expS = sum_k softmax_k(L) * S                         (the softmax-weighted cosine: d lse / d s)
//     hit  = 1 when the largest entry of the line is its diagonal one (top-1 retrieval; ties go
//            to the lower index), else 0
//     diag = S[i, i]
//   lines 0..N-1 are the rows (image -> text), N..2N-1 the columns (text -> image).
//
// Bindings:
//   0 Params {N}
//   1 sc    f32 [2]          read (sc[0] = s, from infonce_scale)
//   2 S     f32 [N, N]       read
//   3 stats vec4<f32> [2N]   write
//
// Thread mapping: one workgroup of 64 threads per line (grid may be 2-D); each thread keeps an
// online-softmax state (max m, sum l of exp(L - m), sum e of exp(L - m) * S, best value and
// index) over the elements tid, tid+64, ...; the 64 states are merged pairwise in workgroup
// memory in a fixed order (deterministic). Column threads read consecutive addresses of a row.

struct Params { N: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> sc: array<f32>;
@group(0) @binding(2) var<storage, read> S: array<f32>;
@group(0) @binding(3) var<storage, read_write> stats: array<vec4<f32>>;

const NEG_BIG: f32 = -3.0e38;

struct State { m: f32, l: f32, e: f32, best: f32, arg: u32, }

var<workgroup> sm: array<f32, 64>;
var<workgroup> sl: array<f32, 64>;
var<workgroup> se: array<f32, 64>;
var<workgroup> sb: array<f32, 64>;
var<workgroup> sa: array<u32, 64>;

fn merge(a: State, b: State) -> State {
  let m = max(a.m, b.m);
  let fa = exp(a.m - m);
  let fb = exp(b.m - m);
  var r = State(m, a.l * fa + b.l * fb, a.e * fa + b.e * fb, a.best, a.arg);
  // Larger value wins; on a tie the lower index.
  if (b.best > a.best || (b.best == a.best && b.arg < a.arg)) {
    r.best = b.best;
    r.arg = b.arg;
  }
  return r;
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let line = wid.x + wid.y * nwg.x;
  if (line >= 2u * p.N) { return; }  // uniform per workgroup
  let N = p.N;
  let s = sc[0];
  let is_row = line < N;
  let x = select(line - N, line, is_row);
  // Element k of the line sits at base + k * stride.
  let base = select(x, x * N, is_row);
  let stride = select(N, 1u, is_row);

  var st = State(NEG_BIG, 0.0, 0.0, NEG_BIG, 0xffffffffu);
  for (var k = tid; k < N; k += 64u) {
    let v = S[base + k * stride];
    let lg = s * v;
    let m = max(st.m, lg);
    let f = exp(st.m - m);
    let w = exp(lg - m);
    st.l = st.l * f + w;
    st.e = st.e * f + w * v;
    st.m = m;
    if (v > st.best) {  // k increases, so the first maximum is kept
      st.best = v;
      st.arg = k;
    }
  }
  sm[tid] = st.m; sl[tid] = st.l; se[tid] = st.e; sb[tid] = st.best; sa[tid] = st.arg;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (tid < w) {
      let o = tid + w;
      let r = merge(State(sm[tid], sl[tid], se[tid], sb[tid], sa[tid]), State(sm[o], sl[o], se[o], sb[o], sa[o]));
      sm[tid] = r.m; sl[tid] = r.l; se[tid] = r.e; sb[tid] = r.best; sa[tid] = r.arg;
    }
    workgroupBarrier();
  }
  if (tid == 0u) {
    let diag = S[x * N + x];
    stats[line] = vec4<f32>(sm[0] + log(sl[0]), se[0] / sl[0], select(0.0, 1.0, sa[0] == x), diag);
  }
}
