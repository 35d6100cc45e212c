import type { Gpu } from '../../runtime/gpu.ts';
import type { Tensor } from '@tensorflow/tfjs-core';
import { attentionBackward, attentionForward, type AttentionKernel, type AttentionShape } from '../../ops/attention/attention.ts';
import { randNormal } from '../../testing.ts';
import type { BenchCase, BenchRun, PeerRun, Tf } from '../types.ts';

/**
 * Fused multi-head attention (one kernel forward; three backward) beside tfjs-backend-webgpu
 * composing the same attention from ops: transposes to [B, H, T, D], batched Q.K^T, scale,
 * additive key-padding mask, softmax, batched P.V, transpose back. The backward is written with
 * ops too (dV = P^T dO, dP = dO V^T, dS = P o (dP - rowsum(dP o P)), dQ = s dS K, dK = s dS^T Q),
 * reusing the forward's P as autograd would: tf.grads cannot run here, because tfjs-core
 * registers no gradients itself and its per-op gradient modules are ES modules with
 * extensionless imports that Node cannot load. Inputs and outputs are [B, T, H, D] on both
 * sides, the mask keeps every key (a DistilBERT-shaped batch: 12 heads of 64, 128 tokens).
 * Rates count the model FLOPs of standard attention: forward 4*B*H*T^2*D (two products), the
 * backward adds 8*B*H*T^2*D (four products); the recomputation the fused kernels do is not counted.
 * The dropout case (DistilBERT's attention_dropout 0.1 in training) drops probabilities: inside
 * the kernels for ours (mask regenerated from a hash), a materialised random keep-mask for tfjs
 * (probs * mask / (1 - p) forward; dV and dP through the same mask backward).
 */

type Pass = 'forward' | 'forward+backward';

function ours(gpu: Gpu, s: AttentionShape, pass: Pass, kernel?: AttentionKernel, dropP = 0): BenchRun {
  const n = s.B * s.T * s.H * s.D;
  const q = gpu.upload(randNormal(n, 1), 'bench q');
  const k = gpu.upload(randNormal(n, 2), 'bench k');
  const v = gpu.upload(randNormal(n, 3), 'bench v');
  const dOut = gpu.upload(randNormal(n, 4), 'bench dOut');
  const mask = gpu.upload(new Uint32Array(s.B * s.T).fill(1), 'bench mask');
  const out = gpu.alloc(n * 4, 'bench out');
  const lse = gpu.alloc(s.B * s.H * s.T * 4, 'bench lse');
  const grads = ['dq', 'dk', 'dv'].map((name) => gpu.alloc(n * 4, `bench ${name}`));
  const inputs = { q, k, v, mask };
  const dropout = dropP > 0 ? { p: dropP, seed: [1, 2] as const } : undefined;
  return {
    run: () => {
      attentionForward(gpu, inputs, s, { out, lse, kernel, dropout });
      if (pass === 'forward+backward') attentionBackward(gpu, { ...inputs, out, lse, dOut }, s, { dq: grads[0], dk: grads[1], dv: grads[2], kernel, dropout });
    },
    teardown: () => {
      for (const b of [q, k, v, dOut, mask, out, lse, ...grads]) b.release();
    },
  };
}

function peer(tf: Tf, s: AttentionShape, pass: Pass, dropP = 0): PeerRun {
  const shape = [s.B, s.T, s.H, s.D];
  const q = tf.randomNormal(shape);
  const k = tf.randomNormal(shape);
  const v = tf.randomNormal(shape);
  const dOut = tf.randomNormal(shape);
  // [B, 1, 1, T] additive bias: 0 for kept keys, -1e9 for padding (none here, but paid for).
  const bias = tf.mul(tf.sub(1, tf.ones([s.B, 1, 1, s.T])), -1e9);
  const scale = 1 / Math.sqrt(s.D);
  const perm = [0, 2, 1, 3];
  // [B, H, T, D] heads -> probabilities [B, H, T, T] and output [B, T, H, D]; with dropout a
  // keep-mask scaled by 1 / (1 - p) (null without).
  const forward = (qh: Tensor, kh: Tensor, vh: Tensor) => {
    const probs = tf.softmax(tf.add(tf.mul(tf.matMul(qh, kh, false, true), scale), bias));
    const keep = dropP > 0 ? tf.mul(tf.step(tf.sub(tf.randomUniform(probs.shape), dropP)), 1 / (1 - dropP)) : null;
    const dropped = keep ? tf.mul(probs, keep) : probs;
    return { probs, keep, out: tf.transpose(tf.matMul(dropped, vh), perm) };
  };
  // The standard attention backward, written with ops (see the header).
  const backward = (qh: Tensor, kh: Tensor, vh: Tensor, probs: Tensor, keep: Tensor | null): Tensor[] => {
    const g = tf.transpose(dOut, perm);
    const dv = tf.matMul(keep ? tf.mul(probs, keep) : probs, g, true, false);
    const dpRaw = tf.matMul(g, vh, false, true);
    const dp = keep ? tf.mul(dpRaw, keep) : dpRaw;
    const ds = tf.mul(probs, tf.sub(dp, tf.sum(tf.mul(dp, probs), -1, true)));
    const dq = tf.mul(tf.matMul(ds, kh), scale);
    const dk = tf.mul(tf.matMul(ds, qh, true, false), scale);
    return [dq, dk, dv].map((t) => tf.transpose(t, perm));
  };
  const attend = (): Tensor[] => {
    const [qh, kh, vh] = [q, k, v].map((t) => tf.transpose(t, perm));
    const { probs, keep, out } = forward(qh, kh, vh);
    return pass === 'forward' ? [out] : [out, ...backward(qh, kh, vh, probs, keep)];
  };
  return {
    run: () => tf.tidy(attend),
    teardown: () => {
      for (const t of [q, k, v, dOut, bias]) t.dispose();
    },
  };
}

function attentionCase(pass: Pass, s: AttentionShape, kernel?: AttentionKernel, dropP = 0): BenchCase {
  const products = pass === 'forward' ? 2 : 6;
  const what = [kernel && `${kernel} kernels`, dropP > 0 && `dropout ${dropP}`].filter(Boolean).join(', ');
  return {
    name: `attention ${pass}${what ? ` (${what})` : ''}`,
    shape: `B=${s.B} H=${s.H} T=${s.T} D=${s.D}`,
    flops: products * 2 * s.B * s.H * s.T * s.T * s.D,
    ours: (gpu) => ours(gpu, s, pass, kernel, dropP),
    peer: (tf) => peer(tf, s, pass, dropP),
  };
}

const BERT_BATCH: AttentionShape = { B: 32, T: 128, H: 12, D: 64 };

/** Default kernel choice (subgroup kernels on lavapipe), then the portable ones GPUs run, forced. */
export const cases: BenchCase[] = [
  attentionCase('forward', BERT_BATCH),
  attentionCase('forward+backward', BERT_BATCH),
  attentionCase('forward+backward', BERT_BATCH, undefined, 0.1),
  attentionCase('forward', BERT_BATCH, 'portable'),
  attentionCase('forward+backward', BERT_BATCH, 'portable'),
];
