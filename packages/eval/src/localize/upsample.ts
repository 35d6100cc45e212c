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
  for (let y = 0; y < outH; y++) {
    const r0 = ys.i0[y] * inW;
    const r1 = ys.i1[y] * inW;
    const wy = ys.w[y];
    for (let x = 0; x < outW; x++) {
      const a = xs.i0[x];
      const b = xs.i1[x];
      const wx = xs.w[x];
      for (let c = 0; c < ch; c++) {
        const top = src[(r0 + a) * ch + c] * (1 - wx) + src[(r0 + b) * ch + c] * wx;
        const bottom = src[(r1 + a) * ch + c] * (1 - wx) + src[(r1 + b) * ch + c] * wx;
        out[(y * outW + x) * ch + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}
