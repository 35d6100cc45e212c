/**
 * Planar float images used inside the camera simulation: one Float32Array per channel,
 * row-major. Planar because every stage (CFA sampling, separable blurs, per-channel gains)
 * walks one channel at a time.
 */
export interface Planes {
  width: number;
  height: number;
  /** Channels, each width * height values. */
  c: Float32Array[];
}

export function newPlanes(width: number, height: number, channels: number): Planes {
  const c: Float32Array[] = [];
  for (let i = 0; i < channels; i++) c.push(new Float32Array(width * height));
  return { width, height, c };
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Separable Gaussian blur of one plane in place (edges clamp). `sigma` in pixels; a sigma
 * below 0.2 is a no-op because the kernel would be a delta at float32 precision anyway.
 * Rows are copied into an edge-padded buffer and the vertical pass accumulates whole rows,
 * so both inner loops are branch-free and walk memory in order.
 */
export function gaussianBlur(plane: Float32Array, width: number, height: number, sigma: number): void {
  if (sigma < 0.2) return;
  const r = Math.max(1, Math.ceil(sigma * 2.5));
  const taps = 2 * r + 1;
  const k = new Float32Array(taps);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    const w = Math.exp((-i * i) / (2 * sigma * sigma));
    k[i + r] = w;
    sum += w;
  }
  for (let i = 0; i < taps; i++) k[i] /= sum;
  const tmp = new Float32Array(plane.length);
  const row = new Float32Array(width + 2 * r);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < r; x++) {
      row[x] = plane[o];
      row[width + r + x] = plane[o + width - 1];
    }
    row.set(plane.subarray(o, o + width), r);
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let t = 0; t < taps; t++) acc += k[t] * row[x + t];
      tmp[o + x] = acc;
    }
  }
  plane.fill(0);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let t = 0; t < taps; t++) {
      let yy = y + t - r;
      if (yy < 0) yy = 0;
      else if (yy >= height) yy = height - 1;
      const src = yy * width;
      const w = k[t];
      for (let x = 0; x < width; x++) plane[o + x] += w * tmp[src + x];
    }
  }
}

/**
 * Evaluates a smooth (low-frequency) field on a coarse grid every `step` pixels and
 * interpolates bilinearly: the cheap way to get illumination and mottling fields.
 */
export function smoothField(width: number, height: number, step: number, f: (x: number, y: number) => number): Float32Array {
  const gw = Math.ceil(width / step) + 1;
  const gh = Math.ceil(height / step) + 1;
  const g = new Float32Array(gw * gh);
  for (let j = 0; j < gh; j++) for (let i = 0; i < gw; i++) g[j * gw + i] = f(i * step, j * step);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const j = Math.floor(y / step);
    const ty = y / step - j;
    for (let x = 0; x < width; x++) {
      const i = Math.floor(x / step);
      const tx = x / step - i;
      const a = g[j * gw + i] + (g[j * gw + i + 1] - g[j * gw + i]) * tx;
      const b = g[(j + 1) * gw + i] + (g[(j + 1) * gw + i + 1] - g[(j + 1) * gw + i]) * tx;
      out[y * width + x] = a + (b - a) * ty;
    }
  }
  return out;
}
