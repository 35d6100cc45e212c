/**
 * float64 references for the attention kernels: plain loops over an explicit T x T probability
 * matrix (the thing the kernels avoid materialising), and the textbook softmax backward
 * dS = P o (dP - rowsum(dP o P)), derived independently of the kernels' delta = rowsum(dOut o out).
 * Conventions as in the kernels: a query without kept keys gets out = 0, lse = +Infinity and
 * zero gradients.
 */
import type { AttentionDropout, AttentionShape } from './attention.ts';
import { dropoutParams } from '../dropout/dropout.ts';
import { dropoutKeepRef } from '../dropout/dropout.ref.ts';

export interface AttentionRefForward {
  /** [B, T, H, D] */
  out: Float64Array;
  /** [B, H, T] */
  lse: Float64Array;
}

export interface AttentionRefGrads {
  dq: Float64Array;
  dk: Float64Array;
  dv: Float64Array;
}

type Vec = ArrayLike<number>;

/** Dropout factor of probability (b, h, i, j): dropout.ref's mask on the flat [B, H, T, T] index. */
type DropFn = (b: number, h: number, i: number, j: number) => number;

function dropFn(s: AttentionShape, d: AttentionDropout | undefined): DropFn {
  if (!d || d.p === 0) return () => 1;
  const { threshold } = dropoutParams(d.p);
  const scale = Math.fround(dropoutParams(d.p).scale); // the kernels get it as f32
  return (b, h, i, j) => (dropoutKeepRef(d.seed[0], d.seed[1], threshold, ((b * s.H + h) * s.T + i) * s.T + j) ? scale : 0);
}

function at(s: AttentionShape, b: number, t: number, h: number): number {
  return ((b * s.T + t) * s.H + h) * s.D;
}

/** Row-softmax probabilities P[i][j] of one (b, h) slice; rows without kept keys are all zero. */
function probs(q: Vec, k: Vec, mask: Vec, s: AttentionShape, scale: number, b: number, h: number): { P: Float64Array[]; lse: Float64Array } {
  const { T, D } = s;
  const P: Float64Array[] = [];
  const lse = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const row = new Float64Array(T);
    let m = -Infinity;
    for (let j = 0; j < T; j++) {
      if (!mask[b * T + j]) continue;
      let dot = 0;
      for (let d = 0; d < D; d++) dot += q[at(s, b, i, h) + d] * k[at(s, b, j, h) + d];
      row[j] = scale * dot;
      m = Math.max(m, row[j]);
    }
    let sum = 0;
    for (let j = 0; j < T; j++) if (mask[b * T + j]) sum += Math.exp(row[j] - m);
    for (let j = 0; j < T; j++) row[j] = mask[b * T + j] ? Math.exp(row[j] - m) / sum : 0;
    lse[i] = sum > 0 ? m + Math.log(sum) : Infinity;
    P.push(row);
  }
  return { P, lse };
}

export function attentionForwardRef(q: Vec, k: Vec, v: Vec, mask: Vec, s: AttentionShape, scale = 1 / Math.sqrt(s.D), dropout?: AttentionDropout): AttentionRefForward {
  const { B, T, H, D } = s;
  const drop = dropFn(s, dropout);
  const out = new Float64Array(B * T * H * D);
  const lse = new Float64Array(B * H * T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const r = probs(q, k, mask, s, scale, b, h);
      for (let i = 0; i < T; i++) {
        lse[(b * H + h) * T + i] = r.lse[i];
        for (let j = 0; j < T; j++) {
          const pij = r.P[i][j] * drop(b, h, i, j);
          if (pij === 0) continue;
          for (let d = 0; d < D; d++) out[at(s, b, i, h) + d] += pij * v[at(s, b, j, h) + d];
        }
      }
    }
  }
  return { out, lse };
}

/**
 * Analytic gradients of sum(dOut o out) with respect to q, k, v. With dropout, out = (P o M) v
 * for the mask-and-scale M: dv = (P o M)^T dOut and dP = M o (dOut v^T) enters the softmax
 * backward.
 */
export function attentionBackwardRef(q: Vec, k: Vec, v: Vec, mask: Vec, dOut: Vec, s: AttentionShape, scale = 1 / Math.sqrt(s.D), dropout?: AttentionDropout): AttentionRefGrads {
  const { B, T, H, D } = s;
  const drop = dropFn(s, dropout);
  const n = B * T * H * D;
  const dq = new Float64Array(n);
  const dk = new Float64Array(n);
  const dv = new Float64Array(n);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const { P } = probs(q, k, mask, s, scale, b, h);
      for (let i = 0; i < T; i++) {
        // dP_ij = dOut_i . v_j, then the softmax Jacobian row by row.
        const dP = new Float64Array(T);
        let rowDot = 0;
        for (let j = 0; j < T; j++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += dOut[at(s, b, i, h) + d] * v[at(s, b, j, h) + d];
          dP[j] = dot * drop(b, h, i, j);
          rowDot += dP[j] * P[i][j];
        }
        for (let j = 0; j < T; j++) {
          const pij = P[i][j];
          if (pij === 0) continue;
          const dS = pij * (dP[j] - rowDot);
          const pDropped = pij * drop(b, h, i, j);
          for (let d = 0; d < D; d++) {
            dv[at(s, b, j, h) + d] += pDropped * dOut[at(s, b, i, h) + d];
            dq[at(s, b, i, h) + d] += scale * dS * k[at(s, b, j, h) + d];
            dk[at(s, b, j, h) + d] += scale * dS * q[at(s, b, i, h) + d];
          }
        }
      }
    }
  }
  return { dq, dk, dv };
}
