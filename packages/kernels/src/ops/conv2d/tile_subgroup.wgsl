// Broadcast-block exchange for the conv2d register tile (conv2d_tile.wgsl), subgroup flavour.
//
// Every conv2d kernel runs workgroups of 8 invocations. The launcher picks this flavour only
// when the adapter's subgroupMinSize >= 8, so a workgroup lies inside one subgroup; its lanes
// are taken to be consecutive subgroup lanes in local_invocation_index order (how workgroups
// are split into subgroups in practice), starting wherever the entry point finds lane 0.
// On lavapipe (subgroup size 8) a workgroup is exactly one subgroup, and a shuffle is a
// register permute: far cheaper than the per-lane scalarised loop lavapipe emits for every
// storage-buffer load, which is what makes sharing the block this way pay off.
enable subgroups;

var<private> tile_slot0: vec4<f32>;
var<private> tile_slot1: vec4<f32>;
var<private> tile_lane0: u32; // subgroup lane of workgroup lane 0

@compute @workgroup_size(8)
fn main(@builtin(local_invocation_index) lane: u32, @builtin(subgroup_invocation_id) sid: u32,
        @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  tile_lane0 = sid - lane;
  kernel_main(lane, wid, nwg);
}

// Publishes this lane's two block vectors: block vector v lives in lane v / 2, slot v % 2.
fn tile_share(lane: u32, b0: vec4<f32>, b1: vec4<f32>) {
  tile_slot0 = b0;
  tile_slot1 = b1;
}

// Block vector v (0..15), read from the lane that loaded it. v is a constant at every call.
fn tile_get(v: u32) -> vec4<f32> {
  return subgroupShuffle(select(tile_slot0, tile_slot1, (v & 1u) == 1u), tile_lane0 + (v >> 1u));
}
