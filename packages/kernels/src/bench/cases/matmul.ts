import type { Gpu } from '../../runtime/gpu.ts';
import { matmul, type MatmulOptions } from '../../ops/matmul/matmul.ts';
import { randUniform } from '../../testing.ts';
import type { BenchCase, BenchRun, Tf } from '../types.ts';

type Spec = Omit<MatmulOptions, 'bias' | 'out' | 'accumulate'> & { bias?: boolean };

function ours(gpu: Gpu, s: Spec): BenchRun {
  const batch = s.batch ?? 1;
  const a = gpu.upload(randUniform((s.broadcastA ? 1 : batch) * s.M * s.K, 1), 'bench a');
  const b = gpu.upload(randUniform((s.broadcastB ? 1 : batch) * s.K * s.N, 2), 'bench b');
  const bias = s.bias ? gpu.upload(randUniform(s.N, 3), 'bench bias') : undefined;
  const out = gpu.alloc(batch * s.M * s.N * 4, 'bench out');
  return {
    run: () => void matmul(gpu, a, b, { ...s, bias, out }),
    teardown: () => {
      for (const x of [a, b, bias, out]) x?.release();
    },
  };
}

/** op(A) [batch, M, K] . op(B) [batch, K, N] in tfjs, stored the way the spec says. */
function peer(tf: Tf, s: Spec) {
  const batch = s.batch ?? 1;
  const lead = batch > 1 ? [batch] : [];
  const a = tf.randomUniform([...lead, ...(s.transA ? [s.K, s.M] : [s.M, s.K])]);
  const b = tf.randomUniform([...lead, ...(s.transB ? [s.N, s.K] : [s.K, s.N])]);
  const bias = s.bias ? tf.randomUniform([s.N]) : undefined;
  const act = s.activation === 'relu' ? 'relu' : undefined;
  return {
    run: () =>
      bias || act
        ? tf.fused.matMul({ a, b, transposeA: s.transA, transposeB: s.transB, bias, activation: act })
        : tf.matMul(a, b, s.transA, s.transB),
    teardown: () => {
      for (const x of [a, b, bias]) x?.dispose();
    },
  };
}

function matmulCase(name: string, s: Spec): BenchCase {
  const batch = s.batch ?? 1;
  return {
    name,
    shape: `${batch > 1 ? `${batch}x` : ''}${s.M}x${s.N}x${s.K}`,
    flops: 2 * batch * s.M * s.N * s.K,
    ours: (gpu) => ours(gpu, s),
    peer: (tf) => peer(tf, s),
  };
}

/** MxNxK; kernel choice is automatic (the subgroup kernel on lavapipe, the tiled one on GPUs). */
export const cases: BenchCase[] = [
  matmulCase('matmul', { M: 256, N: 256, K: 256 }),
  matmulCase('matmul', { M: 512, N: 512, K: 512 }),
  matmulCase('matmul', { M: 1024, N: 1024, K: 1024 }),
  // Linear forward, x [1024, 768] . W^T (W [768, 768] stored [out, in]).
  matmulCase('matmul transB', { M: 1024, N: 768, K: 768, transB: true }),
  // Linear weight gradient dW = dY^T . x over 1024 rows.
  matmulCase('matmul transA', { M: 768, N: 768, K: 1024, transA: true }),
  // Attention scores Q . K^T for 12 heads of 256 tokens, head dim 64.
  matmulCase('matmul batched transB', { M: 256, N: 256, K: 64, batch: 12, transB: true }),
  // The portable workgroup-tiled kernel forced (what GPUs run; on lavapipe 'auto' picks the subgroup one).
  matmulCase('matmul tiled kernel', { M: 512, N: 512, K: 512, kernel: 'tiled' }),
  // FFN up-projection with fused bias + ReLU (tfjs: fused.matMul).
  matmulCase('linear+bias+relu', { M: 512, N: 3072, K: 768, transB: true, bias: true, activation: 'relu' }),
];
