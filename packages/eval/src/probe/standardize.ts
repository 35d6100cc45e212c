/**
 * Z-scoring for the probe: mean and standard deviation per dimension fitted on the training
 * fold only (test images never inform the scaling), applied to both folds. Makes one L2 grid
 * and one learning rate fit features of any scale (embeddings, histograms, residual statistics).
 */
export interface Scaler {
  mean: Float64Array;
  std: Float64Array;
}

export function fitScaler(x: Float32Array, dim: number, rows: readonly number[]): Scaler {
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  for (const r of rows) for (let d = 0; d < dim; d++) mean[d] += x[r * dim + d] / rows.length;
  for (const r of rows) for (let d = 0; d < dim; d++) std[d] += (x[r * dim + d] - mean[d]) ** 2 / rows.length;
  // constant dimensions (a histogram bin no training image fills) map to 0, not to inf
  for (let d = 0; d < dim; d++) std[d] = Math.sqrt(std[d]) > 1e-8 ? Math.sqrt(std[d]) : 1;
  return { mean, std };
}

/** The rows, scaled, as one [rows, dim] block. */
export function applyScaler(s: Scaler, x: Float32Array, dim: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, j) => {
    for (let d = 0; d < dim; d++) out[j * dim + d] = (x[r * dim + d] - s.mean[d]) / s.std[d];
  });
  return out;
}
