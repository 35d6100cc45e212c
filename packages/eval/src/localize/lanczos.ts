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

/** Ritz pairs of the Lanczos tridiagonal (alpha, beta): values largest first, with their residual bounds |beta_last * y_last|. */
function ritz(alpha: number[], beta: number[], residual: number): { values: number[]; vectors: Float64Array[]; bounds: number[] } {
  const k = alpha.length;
  const t = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    t[i * k + i] = alpha[i];
    if (i + 1 < k) t[i * k + i + 1] = t[(i + 1) * k + i] = beta[i];
  }
  const { values, vectors } = symmetricEigen(t, k);
  const order = Array.from(values.keys()).sort((a, b) => values[b] - values[a]);
  return {
    values: order.map((o) => values[o]),
    vectors: order.map((o) => Float64Array.from({ length: k }, (_, j) => vectors[j * k + o])),
    bounds: order.map((o) => Math.abs(residual * vectors[(k - 1) * k + o])),
  };
}

/**
 * The `count` algebraically largest eigenpairs of the operator. The Krylov space grows until
 * the wanted Ritz pairs' residual bounds fall below `tol` times the largest |eigenvalue|
 * (checked every 5 steps), or to `maxSteps` (default min(n, 120)).
 */
export async function topEigenpairs(matvec: MatVec, n: number, count: number, opts: { maxSteps?: number; tol?: number; seed?: number } = {}): Promise<Eigenpairs> {
  const maxSteps = Math.min(n, opts.maxSteps ?? 120);
  const tol = opts.tol ?? 1e-7;
  const rng = rngFromSeed(opts.seed ?? 1);
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q = Float64Array.from({ length: n }, () => rng() - 0.5);
  let norm = Math.sqrt(dot(q, q));
  for (let i = 0; i < n; i++) q[i] /= norm;
  for (let j = 0; j < maxSteps; j++) {
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
    if (j === maxSteps - 1 || norm < 1e-10 * Math.max(1, Math.abs(alpha[j]))) break;
    if (basis.length >= count + 4 && basis.length % 5 === 0) {
      const r = ritz(alpha, beta, norm);
      const scale = Math.max(...r.values.map(Math.abs), 1e-30);
      if (r.bounds.slice(0, count).every((b) => b <= tol * scale)) break;
    }
    beta.push(norm);
    q = w.map((x) => x / norm);
  }
  const r = ritz(alpha, beta.slice(0, alpha.length - 1), norm);
  const keep = Math.min(count, alpha.length);
  return {
    values: r.values.slice(0, keep),
    vectors: r.vectors.slice(0, keep).map((y) => {
      const v = new Float64Array(n);
      y.forEach((c, j) => {
        const b = basis[j];
        for (let i = 0; i < n; i++) v[i] += c * b[i];
      });
      const s = Math.sqrt(dot(v, v));
      return v.map((x) => x / s);
    }),
  };
}
