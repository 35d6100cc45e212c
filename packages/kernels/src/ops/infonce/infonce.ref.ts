/**
 * float64 reference of the symmetric InfoNCE (CLIP) loss and its analytic gradients, written
 * from the definition with explicit softmax matrices (not the kernels' statistics):
 *   a = img / |img|, b = txt / |txt| (rows), L = s a b^T,
 *   loss = w / (2N) * sum_i [ -log softmax_row(L)[i, i] - log softmax_col(L)[i, i] ].
 */

export interface InfoNceRef {
  loss: number;
  /** [N, D] */
  dImg: Float64Array;
  dTxt: Float64Array;
  /** d loss / d s */
  dScale: number;
  /** top-1 hits image -> text (rows) and text -> image (columns); ties go to the lower index */
  correctI2T: number;
  correctT2I: number;
}

type Vec = ArrayLike<number>;

function normalizeRows(x: Vec, N: number, D: number): { a: Float64Array; inv: Float64Array } {
  const a = new Float64Array(N * D);
  const inv = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let ss = 0;
    for (let d = 0; d < D; d++) ss += x[i * D + d] ** 2;
    inv[i] = 1 / Math.max(Math.sqrt(ss), 1e-12);
    for (let d = 0; d < D; d++) a[i * D + d] = x[i * D + d] * inv[i];
  }
  return { a, inv };
}

function argmaxFirst(v: number[]): number {
  let best = 0;
  for (let k = 1; k < v.length; k++) if (v[k] > v[best]) best = k;
  return best;
}

function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const z = e.reduce((p, q) => p + q, 0);
  return e.map((x) => x / z);
}

export function infoNceRef(img: Vec, txt: Vec, N: number, D: number, scale: number, weight = 1): InfoNceRef {
  const A = normalizeRows(img, N, D);
  const Bn = normalizeRows(txt, N, D);
  const S: number[][] = [];
  for (let i = 0; i < N; i++) {
    const row: number[] = [];
    for (let j = 0; j < N; j++) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += A.a[i * D + d] * Bn.a[j * D + d];
      row.push(dot);
    }
    S.push(row);
  }
  const P = S.map((row) => softmax(row.map((v) => scale * v)));
  const colsT = Array.from({ length: N }, (_, j) => softmax(S.map((row) => scale * row[j])));
  const Q = S.map((_, i) => colsT.map((col) => col[i])); // Q[i][j] = column softmax
  let loss = 0;
  let correctI2T = 0;
  let correctT2I = 0;
  for (let i = 0; i < N; i++) {
    loss -= Math.log(P[i][i]) + Math.log(Q[i][i]);
    if (argmaxFirst(S[i]) === i) correctI2T++;
    if (argmaxFirst(S.map((row) => row[i])) === i) correctT2I++;
  }
  const k = weight / (2 * N);
  loss *= k;
  // d loss / d L = k (P + Q - 2I); d loss / d S = s d loss / d L; d loss / d s = sum dL o S.
  const dA = new Float64Array(N * D);
  const dB = new Float64Array(N * D);
  let dScale = 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const dL = k * (P[i][j] + Q[i][j] - (i === j ? 2 : 0));
      dScale += dL * S[i][j];
      const dS = scale * dL;
      for (let d = 0; d < D; d++) {
        dA[i * D + d] += dS * Bn.a[j * D + d];
        dB[j * D + d] += dS * A.a[i * D + d];
      }
    }
  }
  // Through a = x / |x|: dx = (da - a (a . da)) / |x|.
  const back = (n: { a: Float64Array; inv: Float64Array }, da: Float64Array) => {
    const dx = new Float64Array(N * D);
    for (let i = 0; i < N; i++) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += n.a[i * D + d] * da[i * D + d];
      for (let d = 0; d < D; d++) dx[i * D + d] = (da[i * D + d] - n.a[i * D + d] * dot) * n.inv[i];
    }
    return dx;
  };
  return { loss, dImg: back(A, dA), dTxt: back(Bn, dB), dScale, correctI2T, correctT2I };
}
