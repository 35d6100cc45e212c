// Shared by attention_fwd and attention_bwd_q (prepended by attention.ts after attention_io):
// the staged key block of the kernels that own query rows. Uses their overrides BQ (threads),
// BK (keys per block) and GMAX (16-column groups).

var<workgroup> ks: array<vec4<f32>, BK * GMAX * 4u>;  // [BK][4g] key rows (zero past D)
var<workgroup> vs: array<vec4<f32>, BK * GMAX * 4u>;  // [BK][4g] value rows
var<workgroup> keep: array<u32, BK>;                  // 1 for a real key, 0 for padding or past T

// Copies keys kb .. kb+BK-1 of (b, h) into ks, vs and keep; the BQ threads share the work.
// Callers put a barrier before (the previous block is consumed) and after.
fn stage_keys(b: u32, h: u32, kb: u32, tid: u32) {
  let c4 = p.g * 4u;
  for (var idx = tid; idx < BK * c4; idx += BQ) {
    let base = row_base(b, min(kb + idx / c4, p.T - 1u), h);
    let d0 = (idx % c4) * 4u;
    ks[idx] = ld4(&k, base, d0);
    vs[idx] = ld4(&v, base, d0);
  }
  for (var j = tid; j < BK; j += BQ) {
    let t = kb + j;
    keep[j] = select(0u, 1u, t < p.T && mask[b * p.T + min(t, p.T - 1u)] != 0u);
  }
}
