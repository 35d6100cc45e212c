// Embedding gradient without float atomics, deterministic:
//   grad[v, d] += sum over i in increasing order with ids[i] == v of dy[i, d]
// skipping ids >= vocab and ids == pad_id (PyTorch's padding_idx: that row gets no gradient).
// Layout: ids u32 [count]; dy f32 [count, dim]; grad f32 [vocab, dim] (the launcher clears it
// first unless accumulating into an existing gradient), all contiguous.
// Thread mapping: workgroup w (64 threads) owns the table rows [rows*w, rows*w + rows). It
// walks all ids in chunks of 1024 (16 consecutive ids per thread), compacts the positions that
// hit its rows in order (per-thread counts, then a workgroup prefix sum over the 64 counts),
// then applies the hits one after another, each thread owning the columns d = t, t + 64, ...
// of every row. So every grad element has exactly one writer and its terms are added in
// increasing i: the result is bitwise reproducible (the same as a sequential f32 loop over i).
// Cost: ceil(vocab/rows) * count id reads (8 barriers per 1024 ids) plus count * dim adds, the
// adds of one workgroup in sequence. (64 threads: the serial hit loop is what dominates, and
// on CPU adapters its cost grows with the threads that run it.)
// Grid: ceil(vocab / rows) workgroups, 2-D allowed (runtime grid()).

const WG: u32 = 64u;
const CHUNK: u32 = 1024u; // WG * per_thread

// rows: table rows owned by one workgroup (the launcher picks it from the vocab size).
// per_thread: ids per thread per chunk, always CHUNK / WG = 16. It is a uniform rather than a
// constant on purpose: fully unrolled, the two loops over it made lavapipe's shader compile
// take over 10 s.
struct Params { count: u32, vocab: u32, dim: u32, pad_id: u32, rows: u32, per_thread: u32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;

var<workgroup> scan: array<u32, WG>;
var<workgroup> hits: array<u32, CHUNK>;

fn is_hit(i: u32, v0: u32, v1: u32) -> bool {
  if (i >= p.count) { return false; }
  let id = ids[i];
  return id >= v0 && id < v1 && id != p.pad_id;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let v0 = (wid.x + wid.y * nwg.x) * p.rows;
  if (v0 >= p.vocab) { return; } // whole workgroup: uniform
  let v1 = min(v0 + p.rows, p.vocab);
  for (var base = 0u; base < p.count; base += CHUNK) {
    let first = base + t * p.per_thread;
    var mine = 0u;
    for (var k = 0u; k < p.per_thread; k++) {
      if (is_hit(first + k, v0, v1)) { mine += 1u; }
    }
    // Inclusive prefix sum of the per-thread counts (Hillis-Steele): hits keep their order.
    scan[t] = mine;
    workgroupBarrier();
    for (var off = 1u; off < WG; off *= 2u) {
      var add = 0u;
      if (t >= off) { add = scan[t - off]; }
      workgroupBarrier();
      scan[t] += add;
      workgroupBarrier();
    }
    var slot = scan[t] - mine;
    for (var k = 0u; k < p.per_thread; k++) {
      if (is_hit(first + k, v0, v1)) {
        hits[slot] = first + k;
        slot += 1u;
      }
    }
    let total = workgroupUniformLoad(&scan[WG - 1u]); // also a barrier: hits[] is complete
    for (var h = 0u; h < total; h++) {
      let j = hits[h];
      let row = ids[j] * p.dim;
      for (var d = t; d < p.dim; d += WG) { grad[row + d] += dy[j * p.dim + d]; }
    }
    workgroupBarrier(); // scan[] and hits[] are rewritten by the next chunk
  }
}
