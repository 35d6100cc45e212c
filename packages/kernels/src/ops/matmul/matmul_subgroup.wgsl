enable subgroups;

// Batched matrix multiply with a fused epilogue, for 8-wide subgroups (lavapipe / CPU Vulkan).
// Same computation as matmul.wgsl's main_vec4; bindings (read as vec4), Params, CHECKED and
// the epilogue come from matmul_io.wgsl, prepended by the launcher:
//
//   C[b] = act(alpha * op(A[b]) . op(B[b]) + bias) + (C_old[b] if accumulating)
//
// Why a second kernel: lavapipe runs 8 invocations as the lanes of one SIMD register and
// turns every buffer or workgroup-memory read whose address is not a constant into a
// per-lane loop of scalar loads (~9 instructions per float), so classic tiling spends its
// time loading, and barriers cost a coroutine switch per 8 invocations. Here every float is
// read from memory by exactly one lane per subgroup, and the values all lanes need are handed
// out with subgroupShuffle from a constant lane (one register permute). No workgroup memory,
// no barriers.
//
// Thread mapping (subgroup size 8, checked by the launcher): a subgroup computes 8*RL rows x
// NC columns of C; a workgroup stacks SGS subgroups along M; wid.z is the batch item.
// Lane l owns rows l, l+8, ..., of the subgroup's block (with TRANS_A: rows 4l..4l+3, then
// +32, ..., so its reads of A^T stay vec4) and keeps RL*NC scalar accumulators. Per step of 4
// along K, each lane reads RL vec4 of op(A) (its own rows) and NC/8 vec4 of op(B) (a 4x8 block
// without TRANS_B, an 8x4 one with it); every op(B) value then reaches all lanes by shuffle.
// Per 4 k: RL + NC/8 vec4 reads and 4*RL*NC FMAs per lane.
//
// Overrides: RL (multiple of 4 with TRANS_A, RL*NC <= 64), NC (multiple of 8, at most 32), SGS
// (the launcher's choice and why: matmul.ts); every loop below must unroll completely, so that
// the accumulators are registers and the shuffle lanes constants. CHECKED
// adds bounds checks (zero-filled reads, guarded writes) for shapes that are not multiples of
// the block: rows 8*RL*SGS, columns NC, K a multiple of 4. Even when CHECKED the vec4
// alignment must hold (contiguous axes of A, B and N multiples of 4).

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override RL: u32 = 4u;
override NC: u32 = 16u;
override SGS: u32 = 1u;

const MAX_RL: u32 = 8u;
const MAX_CHUNKS: u32 = 4u;
const MAX_ACC: u32 = 64u;

// Row of C held in accumulator row r of `lane`.
fn row_of(m_base: u32, lane: u32, r: u32) -> u32 {
  if (TRANS_A) { return m_base + 32u * (r / 4u) + 4u * lane + r % 4u; }
  return m_base + 8u * r + lane;
}

@compute @workgroup_size(8 * SGS)
fn main(@builtin(local_invocation_index) li: u32, @builtin(subgroup_invocation_id) lane: u32,
        @builtin(workgroup_id) wid: vec3<u32>) {
  let M = p.M;
  let N = p.N;
  let K = p.K;
  let m_base = (wid.y * SGS + li / 8u) * 8u * RL;
  let n_base = wid.x * NC;
  let base_a = wid.z * p.stride_a;
  let base_b = wid.z * p.stride_b;
  var acc: array<f32, MAX_ACC>;
  for (var k0 = 0u; k0 < K; k0 += 4u) {
    // a[r][kk] = op(A)[row_of(r)][k0 + kk]
    var a: array<vec4<f32>, MAX_RL>;
    if (TRANS_A) {
      for (var q = 0u; q < RL / 4u; q++) {
        let m = m_base + 32u * q + 4u * lane;
        let ok = m < M;
        let t0 = load_a4(base_a + k0 * M + m, ok);
        let t1 = load_a4(base_a + (k0 + 1u) * M + m, ok && k0 + 1u < K);
        let t2 = load_a4(base_a + (k0 + 2u) * M + m, ok && k0 + 2u < K);
        let t3 = load_a4(base_a + (k0 + 3u) * M + m, ok && k0 + 3u < K);
        a[4u * q] = vec4(t0.x, t1.x, t2.x, t3.x);
        a[4u * q + 1u] = vec4(t0.y, t1.y, t2.y, t3.y);
        a[4u * q + 2u] = vec4(t0.z, t1.z, t2.z, t3.z);
        a[4u * q + 3u] = vec4(t0.w, t1.w, t2.w, t3.w);
      }
    } else {
      for (var r = 0u; r < RL; r++) {
        let m = m_base + 8u * r + lane;
        a[r] = load_a4(base_a + m * K + k0, m < M);
      }
    }
    // Chunk c holds op(B)[k0..k0+3][n_base + 8c .. +7], spread over the lanes.
    var bc: array<vec4<f32>, MAX_CHUNKS>;
    for (var c = 0u; c < NC / 8u; c++) {
      if (TRANS_B) {
        let n = n_base + 8u * c + lane;
        bc[c] = load_b4(base_b + n * K + k0, n < N);
      } else {
        let k = k0 + (lane & 3u);
        let n = n_base + 8u * c + 4u * (lane >> 2u);
        bc[c] = load_b4(base_b + k * N + n, k < K && n < N);
      }
    }
    for (var kk = 0u; kk < 4u; kk++) {
      for (var c = 0u; c < NC / 8u; c++) {
        for (var j = 0u; j < 8u; j++) {
          // Which lane / component holds op(B)[k0 + kk][n_base + 8c + j]: constants once the
          // loops are unrolled, so the shuffle is a register permute.
          let src = select(kk + 4u * (j >> 2u), j, TRANS_B);
          let bv = subgroupShuffle(bc[c][select(j & 3u, kk, TRANS_B)], src);
          for (var r = 0u; r < RL; r++) {
            let o = r * NC + 8u * c + j;
            acc[o] = fma(a[r][kk], bv, acc[o]);
          }
        }
      }
    }
  }
  for (var r = 0u; r < RL; r++) {
    let m = row_of(m_base, lane, r);
    for (var q = 0u; q < NC / 4u; q++) {
      let n = n_base + 4u * q;
      let o = r * NC + 4u * q;
      if (!CHECKED || (m < M && n < N)) { epilogue4(vec4(acc[o], acc[o + 1u], acc[o + 2u], acc[o + 3u]), wid.z, m, n); }
    }
  }
}
