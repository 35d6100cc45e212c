/** float64 references for batch norm over [rows, C] (channel last), training and inference. */

export interface BatchNormRefState {
  gamma: ArrayLike<number>;
  beta: ArrayLike<number>;
  runningMean: ArrayLike<number>;
  runningVar: ArrayLike<number>;
}

/** Per-channel mean and biased variance (two-pass). */
function channelMoments(x: ArrayLike<number>, rows: number, c: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let r = 0; r < rows; r++) for (let k = 0; k < c; k++) mean[k] += x[r * c + k] / rows;
  for (let r = 0; r < rows; r++) for (let k = 0; k < c; k++) variance[k] += (x[r * c + k] - mean[k]) ** 2 / rows;
  return { mean, variance };
}

function normalize(x: ArrayLike<number>, rows: number, c: number, mean: ArrayLike<number>, invstd: ArrayLike<number>, s: BatchNormRefState, relu: boolean): Float64Array {
  const y = new Float64Array(rows * c);
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < c; k++) {
      const v = (x[r * c + k] - mean[k]) * invstd[k] * s.gamma[k] + s.beta[k];
      y[r * c + k] = relu ? Math.max(v, 0) : v;
    }
  return y;
}

/** Training forward: y, saved mean/invstd, and the updated running statistics (unbiased var). */
export function batchNormTrainRef(
  x: ArrayLike<number>,
  rows: number,
  c: number,
  s: BatchNormRefState,
  eps = 1e-5,
  momentum = 0.1,
  relu = false,
): { y: Float64Array; mean: Float64Array; invstd: Float64Array; runningMean: Float64Array; runningVar: Float64Array } {
  const { mean, variance } = channelMoments(x, rows, c);
  const invstd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const runningMean = Float64Array.from(mean, (m, k) => (1 - momentum) * s.runningMean[k] + momentum * m);
  const runningVar = Float64Array.from(variance, (v, k) => (1 - momentum) * s.runningVar[k] + momentum * ((v * rows) / (rows - 1)));
  return { y: normalize(x, rows, c, mean, invstd, s, relu), mean, invstd, runningMean, runningVar };
}

/** Inference forward with the running statistics. */
export function batchNormEvalRef(x: ArrayLike<number>, rows: number, c: number, s: BatchNormRefState, eps = 1e-5, relu = false): Float64Array {
  const invstd = Float64Array.from({ length: c }, (_, k) => 1 / Math.sqrt(s.runningVar[k] + eps));
  return normalize(x, rows, c, s.runningMean, invstd, s, relu);
}

/**
 * Training backward. `reluY` (the forward output) masks dy where y <= 0 for a fused ReLU.
 * dx = gamma * invstd / M * (M*g - sum(g) - xhat * sum(g*xhat)).
 */
export function batchNormBackwardRef(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  rows: number,
  c: number,
  gamma: ArrayLike<number>,
  mean: ArrayLike<number>,
  invstd: ArrayLike<number>,
  reluY?: ArrayLike<number>,
): { dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const g = Float64Array.from({ length: rows * c }, (_, i) => (reluY && !(reluY[i] > 0) ? 0 : dy[i]));
  const xhat = Float64Array.from({ length: rows * c }, (_, i) => (x[i] - mean[i % c]) * invstd[i % c]);
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  for (let i = 0; i < rows * c; i++) {
    dbeta[i % c] += g[i];
    dgamma[i % c] += g[i] * xhat[i];
  }
  const dx = Float64Array.from(g, (v, i) => {
    const k = i % c;
    return ((gamma[k] * invstd[k]) / rows) * (rows * v - dbeta[k] - xhat[i] * dgamma[k]);
  });
  return { dx, dgamma, dbeta };
}
