/**
 * The largest eigenpairs of a symmetric n x n operator whose products run on the GPU: Lanczos
 * with full re-orthogonalisation (the vectors are n floats, so the O(n * steps) bookkeeping on
 * the host is small next to the O(n^2) matrix-vector products), then the Ritz pairs of the
 * small tridiagonal matrix by cyclic Jacobi.
 */
import { rngFromSeed } from '@exif-lang/data';

export type MatVec = (v: Float32Array) => Promise<Float32Array>;

export interface Eigenpairs {
  /** largest first */
  values: number[];
  /** unit vectors, one per value */
  vectors: Float64Array[];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Eigen-decomposition of a small dense symmetric matrix (row-major k x k): cyclic Jacobi rotations. */
export function symmetricEigen(a: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += m[p * k + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = m[p * k + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * k + q] - m[p * k + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const mrp = m[r * k + p];
          const mrq = m[r * k + q];
          m[r * k + p] = c * mrp - s * mrq;
          m[r * k + q] = s * mrp + c * mrq;
        }
        for (let r = 0; r < k; r++) {
          const mpr = m[p * k + r];
          const mqr = m[q * k + r];
          m[p * k + r] = c * mpr - s * mqr;
          m[q * k + r] = s * mpr + c * mqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p];
          const vrq = v[r * k + q];
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = new Float64Array(k);
  for (let i = 0; i < k; i++) values[i] = m[i * k + i];
  return { values, vectors: v };
}

/** The `count` algebraically largest eigenpairs of the operator (steps: Krylov dimension, default min(n, max(4 count + 40, 60))). */
export async function topEigenpairs(matvec: MatVec, n: number, count: number, opts: { steps?: number; seed?: number } = {}): Promise<Eigenpairs> {
  const steps = Math.min(n, opts.steps ?? Math.max(4 * count + 40, 60));
  const rng = rngFromSeed(opts.seed ?? 1);
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q = Float64Array.from({ length: n }, () => rng() - 0.5);
  let norm = Math.sqrt(dot(q, q));
  for (let i = 0; i < n; i++) q[i] /= norm;
  for (let j = 0; j < steps; j++) {
    basis.push(q);
    const w = Float64Array.from(await matvec(Float32Array.from(q)));
    alpha.push(dot(w, q));
    // Full re-orthogonalisation, twice (classical Gram-Schmidt is stable when repeated).
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dot(w, b);
        for (let i = 0; i < n; i++) w[i] -= c * b[i];
      }
    }
    norm = Math.sqrt(dot(w, w));
    if (j === steps - 1 || norm < 1e-10 * Math.max(1, Math.abs(alpha[j]))) break;
    beta.push(norm);
    q = w.map((x) => x / norm);
  }
  const k = basis.length;
  const t = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    t[i * k + i] = alpha[i];
    if (i + 1 < k) t[i * k + i + 1] = t[(i + 1) * k + i] = beta[i];
  }
  const { values, vectors } = symmetricEigen(t, k);
  const order = Array.from(values.keys()).sort((a, b) => values[b] - values[a]).slice(0, Math.min(count, k));
  return {
    values: order.map((o) => values[o]),
    vectors: order.map((o) => {
      const v = new Float64Array(n);
      for (let j = 0; j < k; j++) {
        const c = vectors[j * k + o];
        const b = basis[j];
        for (let i = 0; i < n; i++) v[i] += c * b[i];
      }
      const s = Math.sqrt(dot(v, v));
      return v.map((x) => x / s);
    }),
  };
}
