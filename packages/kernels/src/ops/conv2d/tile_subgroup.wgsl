// Broadcast-block exchange for the conv2d register tile (conv2d_tile.wgsl), subgroup flavour.
//
// Every conv2d kernel runs workgroups of 8 invocations that must form (a prefix of) one
// subgroup: the launcher picks this flavour only when the adapter's subgroupMinSize >= 8, and
// WebGPU implementations split workgroups into subgroups in local_invocation_index order, so
// lane i of the workgroup is subgroup lane i. On lavapipe (subgroup size 8) a workgroup is
// exactly one subgroup, and a shuffle is a register permute: far cheaper than the per-lane
// scalarised loop lavapipe emits for every storage-buffer load, which is what makes sharing
// the block this way pay off.
enable subgroups;

var<private> tile_slot0: vec4<f32>;
var<private> tile_slot1: vec4<f32>;

// Publishes this lane's two block vectors: block vector v lives in lane v / 2, slot v % 2.
fn tile_share(lane: u32, b0: vec4<f32>, b1: vec4<f32>) {
  tile_slot0 = b0;
  tile_slot1 = b1;
}

// Block vector v (0..15), read from the lane that loaded it. v is a constant at every call.
fn tile_get(v: u32) -> vec4<f32> {
  return subgroupShuffle(select(tile_slot0, tile_slot1, (v & 1u) == 1u), v >> 1u);
}
