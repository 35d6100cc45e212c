// Shared by the Winograd F(m x m, 3x3) transforms (prepended by winograd.ts): the tile size and
// the enumeration of (tile, channel group) threads, which the input and output transforms must
// agree on.

override M_OUT: u32 = 4u; // output tile m: 2 or 4; the transform tile is alpha = m + 2

alias Line = array<vec4<f32>, 6>;

// Thread idx of a transform: tile t = (img, ty, tx) of [N, tiles_h, tiles_w], channel group cq of c4.
struct TilePos { t: u32, cq: u32, img: u32, ty: u32, tx: u32 }

fn tile_pos(idx: u32, c4: u32, tiles_h: u32, tiles_w: u32) -> TilePos {
  let t = idx / c4;
  return TilePos(t, idx - t * c4, t / (tiles_h * tiles_w), (t / tiles_w) % tiles_h, t % tiles_w);
}
