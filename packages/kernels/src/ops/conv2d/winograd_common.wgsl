// Shared by the Winograd F(m x m, 3x3) transforms (prepended by winograd.ts): the tile size and
// the enumeration of (tile, channel group) threads, which the input and output transforms must
// agree on.

override M_OUT: u32 = 4u; // output tile m: 2 or 4; the transform tile is alpha = m + 2

alias Line = array<vec4<f32>, 6>;

// The thread's tile t = (img, ty, tx) of [n, tiles_h, tiles_w] (ntiles in all) and channel group
// cq of c4; ok is false past the end (64-thread workgroups, linear id gid.x + gid.y * nwg.x * 64).
struct TilePos { ok: bool, t: u32, cq: u32, img: u32, ty: u32, tx: u32, ntiles: u32 }

fn tile_thread(gid: vec3<u32>, nwg: vec3<u32>, c4: u32, n: u32, tiles_h: u32, tiles_w: u32) -> TilePos {
  let idx = gid.x + gid.y * nwg.x * 64u;
  let ntiles = n * tiles_h * tiles_w;
  let t = min(idx / c4, ntiles - 1u);
  return TilePos(idx < ntiles * c4, t, idx - (idx / c4) * c4, t / (tiles_h * tiles_w), (t / tiles_w) % tiles_h, t % tiles_w, ntiles);
}

// Rows of c become columns: the 6 x 6 transpose between the two passes of a transform.
fn transpose6(c: array<Line, 6>) -> array<Line, 6> {
  return array<Line, 6>(Line(c[0][0], c[1][0], c[2][0], c[3][0], c[4][0], c[5][0]),
                        Line(c[0][1], c[1][1], c[2][1], c[3][1], c[4][1], c[5][1]),
                        Line(c[0][2], c[1][2], c[2][2], c[3][2], c[4][2], c[5][2]),
                        Line(c[0][3], c[1][3], c[2][3], c[3][3], c[4][3], c[5][3]),
                        Line(c[0][4], c[1][4], c[2][4], c[3][4], c[4][4], c[5][4]),
                        Line(c[0][5], c[1][5], c[2][5], c[3][5], c[4][5], c[5][5]));
}
