/**
 * Float64 reference of logreg.ts for tests: the same objective and its gradient with plain
 * loops, minimised by gradient descent with backtracking (Armijo) until the gradient vanishes.
 */
export interface RefSolution {
  weight: Float64Array;
  bias: Float64Array;
  loss: number;
}

/** Objective (mean CE + l2/2 ||W||^2) and gradient at (w, b). */
export function logRegObjective(x: ArrayLike<number>, labels: ArrayLike<number>, classes: number, l2: number, w: Float64Array, b: Float64Array) {
  const n = labels.length;
  const dim = x.length / n;
  const gw = new Float64Array(w.length);
  const gb = new Float64Array(classes);
  let loss = 0;
  const z = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = b[c];
      for (let d = 0; d < dim; d++) s += x[i * dim + d] * w[c * dim + d];
      z[c] = s;
      mx = Math.max(mx, s);
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(z[c] - mx);
    const lse = mx + Math.log(sum);
    loss += (lse - z[labels[i]]) / n;
    for (let c = 0; c < classes; c++) {
      const g = (Math.exp(z[c] - lse) - (c === labels[i] ? 1 : 0)) / n;
      gb[c] += g;
      for (let d = 0; d < dim; d++) gw[c * dim + d] += g * x[i * dim + d];
    }
  }
  for (let k = 0; k < w.length; k++) {
    loss += (l2 / 2) * w[k] * w[k];
    gw[k] += l2 * w[k];
  }
  return { loss, gw, gb };
}

export function solveLogRegRef(x: ArrayLike<number>, labels: ArrayLike<number>, classes: number, l2: number, maxIter = 20000): RefSolution {
  const dim = x.length / labels.length;
  let w = new Float64Array(classes * dim);
  let b = new Float64Array(classes);
  let cur = logRegObjective(x, labels, classes, l2, w, b);
  let step = 1;
  for (let it = 0; it < maxIter; it++) {
    let g2 = 0;
    for (const v of cur.gw) g2 += v * v;
    for (const v of cur.gb) g2 += v * v;
    if (g2 < 1e-18) break;
    for (;;) {
      const w2 = w.map((v, k) => v - step * cur.gw[k]);
      const b2 = b.map((v, k) => v - step * cur.gb[k]);
      const next = logRegObjective(x, labels, classes, l2, w2, b2);
      if (next.loss <= cur.loss - 0.5 * step * g2 || step < 1e-12) {
        [w, b, cur] = [w2, b2, next];
        step *= 2;
        break;
      }
      step /= 2;
    }
  }
  return { weight: w, bias: b, loss: cur.loss };
}
