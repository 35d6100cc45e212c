// Broadcast-block exchange for the conv2d register tile (conv2d_tile.wgsl), workgroup-memory
// flavour: the portable fallback for adapters without subgroups (or with subgroups narrower
// than the 8-invocation workgroup). Same contract as tile_subgroup.wgsl: block vector v is
// loaded by lane v / 2 into slot v % 2 and read by every lane.
var<workgroup> tile_block: array<vec4<f32>, 16>;

@compute @workgroup_size(8)
fn main(@builtin(local_invocation_index) lane: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  kernel_main(lane, wid, nwg);
}

fn tile_share(lane: u32, b0: vec4<f32>, b1: vec4<f32>) {
  workgroupBarrier(); // everyone has finished reading the previous block
  tile_block[2u * lane] = b0;
  tile_block[2u * lane + 1u] = b1;
  workgroupBarrier();
}

fn tile_get(v: u32) -> vec4<f32> {
  return tile_block[v];
}
