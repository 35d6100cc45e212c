/** float64 references for the row softmax / log-softmax and their backward. */

/** Softmax (or log-softmax) of each row; an all -inf row gives zeros (log: -inf). */
export function softmaxRef(x: ArrayLike<number>, rows: number, cols: number, log = false): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, c) => x[r * cols + c]);
    const m = Math.max(...row);
    if (m === -Infinity) {
      y.fill(log ? -Infinity : 0, r * cols, (r + 1) * cols);
      continue;
    }
    const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
    for (let c = 0; c < cols; c++) y[r * cols + c] = log ? row[c] - m - Math.log(s) : Math.exp(row[c] - m) / s;
  }
  return y;
}

/** dx from the forward output y and dy (softmax: y (dy - <dy, y>); log: dy - exp(y) sum dy). */
export function softmaxBackwardRef(y: ArrayLike<number>, dy: ArrayLike<number>, rows: number, cols: number, log = false): Float64Array {
  const dx = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += log ? dy[r * cols + c] : dy[r * cols + c] * y[r * cols + c];
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      dx[i] = log ? dy[i] - Math.exp(y[i]) * s : y[i] * (dy[i] - s);
    }
  }
  return dx;
}
