/** float64 references for layer norm over the last axis of x [rows, cols]. */

export function layerNormRef(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  eps = 1e-5,
): { y: Float64Array; mean: Float64Array; invstd: Float64Array } {
  const y = new Float64Array(rows * cols);
  const mean = new Float64Array(rows);
  const invstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[r * cols + c];
    const m = s / cols;
    let v = 0;
    for (let c = 0; c < cols; c++) v += (x[r * cols + c] - m) ** 2;
    const is = 1 / Math.sqrt(v / cols + eps);
    for (let c = 0; c < cols; c++) y[r * cols + c] = (x[r * cols + c] - m) * is * gamma[c] + beta[c];
    mean[r] = m;
    invstd[r] = is;
  }
  return { y, mean, invstd };
}

/** dx, dgamma, dbeta of layer norm given the forward's per-row mean and invstd. */
export function layerNormBackwardRef(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  gamma: ArrayLike<number>,
  mean: ArrayLike<number>,
  invstd: ArrayLike<number>,
): { dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const dx = new Float64Array(rows * cols);
  const dgamma = new Float64Array(cols);
  const dbeta = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const xhat = Array.from({ length: cols }, (_, c) => (x[r * cols + c] - mean[r]) * invstd[r]);
    let sg = 0;
    let sgx = 0;
    for (let c = 0; c < cols; c++) {
      const g = dy[r * cols + c] * gamma[c];
      sg += g;
      sgx += g * xhat[c];
      dgamma[c] += dy[r * cols + c] * xhat[c];
      dbeta[c] += dy[r * cols + c];
    }
    for (let c = 0; c < cols; c++) dx[r * cols + c] = invstd[r] * (dy[r * cols + c] * gamma[c] - sg / cols - (xhat[c] * sgx) / cols);
  }
  return { dx, dgamma, dbeta };
}
