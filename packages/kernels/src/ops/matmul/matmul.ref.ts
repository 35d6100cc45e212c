/** float64 reference for matmul (plain loops over the same layouts and options). */
import type { MatmulOptions } from './matmul.ts';
import { activationRef } from '../common/activation.ref.ts';

/** The launcher's options with host arrays for bias and the old C (added after the activation). */
export type MatmulRefOptions = Omit<MatmulOptions, 'bias' | 'accumulate' | 'out' | 'kernel'> & {
  bias?: ArrayLike<number>;
  accumulate?: ArrayLike<number>;
};

export function matmulRef(a: ArrayLike<number>, b: ArrayLike<number>, o: MatmulRefOptions): Float64Array {
  const { M, N, K } = o;
  const batch = o.batch ?? 1;
  const alpha = o.alpha ?? 1;
  const out = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++) {
    const offA = o.broadcastA ? 0 : z * M * K;
    const offB = o.broadcastB ? 0 : z * K * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = a[offA + (o.transA ? k * M + m : m * K + k)];
          const bv = b[offB + (o.transB ? n * K + k : k * N + n)];
          s += av * bv;
        }
        let v = activationRef(o.activation ?? 'none', alpha * s + (o.bias ? o.bias[n] : 0));
        const idx = z * M * N + m * N + n;
        if (o.accumulate) v += o.accumulate[idx];
        out[idx] = v;
      }
    }
  }
  return out;
}
