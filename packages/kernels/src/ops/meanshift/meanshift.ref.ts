/**
 * float64 reference of the official sequential mean shift (exif-as-language `mean_shift`):
 * x [m, d] row-major; neighbours of the current point are searched among the original points
 * (|p - x_j|^2 <= r2), the point moves to the mean of the CURRENT values of those neighbours.
 * Returns the moved points and, for each, how many originals lie within the radius.
 */
export function meanShiftRef(x: ArrayLike<number>, m: number, d: number, r2: number, iterations: number): { points: Float64Array; counts: Uint32Array } {
  const pts = Float64Array.from(x);
  const dist2 = (i: number, j: number): number => {
    let s = 0;
    for (let k = 0; k < d; k++) {
      const e = pts[i * d + k] - x[j * d + k];
      s += e * e;
    }
    return s;
  };
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < m; i++) {
      const near: number[] = [];
      for (let j = 0; j < m; j++) if (dist2(i, j) <= r2) near.push(j);
      const mean = new Float64Array(d);
      for (const j of near) for (let k = 0; k < d; k++) mean[k] += pts[j * d + k];
      for (let k = 0; k < d; k++) pts[i * d + k] = mean[k] / near.length;
    }
  }
  const counts = new Uint32Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (dist2(i, j) <= r2) counts[i]++;
  return { points: pts, counts };
}
