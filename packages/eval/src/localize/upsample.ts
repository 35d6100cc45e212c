/**
 * Bilinear resizing with OpenCV's INTER_LINEAR geometry (what the official code calls): pixel
 * centres aligned (src = (dst + 0.5) * in / out - 0.5), clamped at the borders, float weights.
 * Channels are interleaved.
 */
function axis(outLen: number, inLen: number): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(outLen);
  const i1 = new Int32Array(outLen);
  const w = new Float32Array(outLen);
  const scale = inLen / outLen;
  for (let o = 0; o < outLen; o++) {
    let f = (o + 0.5) * scale - 0.5;
    let s = Math.floor(f);
    f -= s;
    if (s < 0) {
      s = 0;
      f = 0;
    }
    if (s >= inLen - 1) {
      s = inLen - 1;
      f = 0;
    }
    i0[o] = s;
    i1[o] = Math.min(s + 1, inLen - 1);
    w[o] = f;
  }
  return { i0, i1, w };
}

export function resizeBilinear(src: ArrayLike<number>, inW: number, inH: number, outW: number, outH: number, ch = 1): Float32Array {
  const out = new Float32Array(outW * outH * ch);
  const xs = axis(outW, inW);
  const ys = axis(outH, inH);
  // Rows first: interpolate the two source rows a destination row needs along x once (they are
  // shared by runs of destination rows), then blend them.
  const rowCache = new Map<number, Float32Array>();
  const rowAt = (r: number): Float32Array => {
    let row = rowCache.get(r);
    if (row) return row;
    row = new Float32Array(outW * ch);
    const base = r * inW * ch;
    for (let x = 0; x < outW; x++) {
      const a = base + xs.i0[x] * ch;
      const b = base + xs.i1[x] * ch;
      const wx = xs.w[x];
      for (let c = 0; c < ch; c++) row[x * ch + c] = src[a + c] * (1 - wx) + src[b + c] * wx;
    }
    if (rowCache.size > 3) rowCache.delete(rowCache.keys().next().value as number);
    rowCache.set(r, row);
    return row;
  };
  const n = outW * ch;
  for (let y = 0; y < outH; y++) {
    const top = rowAt(ys.i0[y]);
    const bottom = rowAt(ys.i1[y]);
    const wy = ys.w[y];
    const o = y * n;
    for (let k = 0; k < n; k++) out[o + k] = top[k] * (1 - wy) + bottom[k] * wy;
  }
  return out;
}
