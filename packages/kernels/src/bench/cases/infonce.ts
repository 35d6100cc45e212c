import type { Gpu } from '../../runtime/gpu.ts';
import type { Tensor } from '@tensorflow/tfjs-core';
import { infoNce, type InfoNceShape } from '../../ops/infonce/infonce.ts';
import { randNormal } from '../../testing.ts';
import type { BenchCase, BenchRun, PeerRun, Tf } from '../types.ts';

/**
 * Fused symmetric InfoNCE (CLIP loss) at the paper's batch (N = 1024 pairs of 768-d
 * embeddings, logit scale 100) beside tfjs-backend-webgpu composing it from ops: L2
 * normalisation, matMul, scale, softmaxCrossEntropy over rows and over columns, top-1 argMax
 * both ways; the gradients with respect to both embedding matrices written with ops (softmax
 * both ways, the two products, the normalisation Jacobian): tf.grads cannot run here, tfjs-core
 * registers no gradients itself and its per-op gradient modules cannot be loaded by Node (see
 * the attention case).
 * Rates count the matrix products: 2*N^2*D for the logits, 4*N^2*D more for the two gradients.
 */

type Pass = 'loss' | 'loss+grads';
const SCALE = 100;

function ours(gpu: Gpu, s: InfoNceShape, pass: Pass): BenchRun {
  const img = gpu.upload(randNormal(s.N * s.D, 1), 'bench img');
  const txt = gpu.upload(randNormal(s.N * s.D, 2), 'bench txt');
  const loss = gpu.alloc(4, 'bench loss');
  const dScale = gpu.alloc(4, 'bench dscale');
  const correct = gpu.alloc(8, 'bench correct');
  const dImg = gpu.alloc(s.N * s.D * 4, 'bench dimg');
  const dTxt = gpu.alloc(s.N * s.D * 4, 'bench dtxt');
  return {
    run: () => void infoNce(gpu, img, txt, s, { scale: SCALE, grads: pass === 'loss+grads', loss, dScale, correct, dImg, dTxt }),
    teardown: () => {
      for (const b of [img, txt, loss, dScale, correct, dImg, dTxt]) b.release();
    },
  };
}

function peer(tf: Tf, s: InfoNceShape, pass: Pass): PeerRun {
  const img = tf.randomNormal([s.N, s.D]);
  const txt = tf.randomNormal([s.N, s.D]);
  const labels = tf.oneHot(tf.range(0, s.N, 1, 'int32'), s.N);
  const eye2 = tf.mul(labels, 2);
  const run = (): Tensor[] => {
    const [ia, it] = [img, txt].map((x) => tf.norm(x, 'euclidean', 1, true));
    const [an, bn] = [tf.div(img, ia), tf.div(txt, it)];
    const logits = tf.mul(tf.matMul(an, bn, false, true), SCALE);
    const loss = tf.div(tf.add(tf.losses.softmaxCrossEntropy(labels, logits), tf.losses.softmaxCrossEntropy(labels, tf.transpose(logits))), 2);
    const hits = [tf.argMax(logits, 1), tf.argMax(logits, 0)];
    if (pass === 'loss') return [loss, ...hits];
    // Backward with ops: dS = s (softmax_rows + softmax_cols - 2I) / (2N), then the two
    // products and the normalisation Jacobian (I - a a^T) / |x|.
    const g = tf.mul(tf.sub(tf.add(tf.softmax(logits), tf.transpose(tf.softmax(tf.transpose(logits)))), eye2), SCALE / (2 * s.N));
    const [da, db] = [tf.matMul(g, bn), tf.matMul(g, an, true, false)];
    const back = (a: Tensor, d: Tensor, norm: Tensor) => tf.div(tf.sub(d, tf.mul(a, tf.sum(tf.mul(a, d), 1, true))), norm);
    return [loss, ...hits, back(an, da, ia), back(bn, db, it)];
  };
  return {
    run: () => tf.tidy(run),
    teardown: () => {
      for (const t of [img, txt, labels, eye2]) t.dispose();
    },
  };
}

function infoNceCase(pass: Pass, s: InfoNceShape): BenchCase {
  return {
    name: `infonce ${pass}`,
    shape: `N=${s.N} D=${s.D}`,
    flops: (pass === 'loss' ? 2 : 6) * s.N * s.N * s.D,
    ours: (gpu) => ours(gpu, s, pass),
    peer: (tf) => peer(tf, s, pass),
  };
}

const PAPER_BATCH: InfoNceShape = { N: 1024, D: 768 };

export const cases: BenchCase[] = [infoNceCase('loss', PAPER_BATCH), infoNceCase('loss+grads', PAPER_BATCH)];
