import { batchNormBackward, batchNormEval, batchNormTrain, layerNorm as layerNormKernel, layerNormBackward } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';
import { addScalar, mul, reciprocal, sqrt, sub } from './elementwise.ts';
import { sumToShape, gt0 } from './reduce.ts';

/** Normalisation layers' functional forms. Channel-last: C is the last axis of x. */

export interface BatchNormArgs {
  gamma: Tensor;
  beta: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
  /** training: batch statistics + running-stat update (in place); else running statistics */
  training: boolean;
  momentum?: number;
  eps?: number;
  /** fuse a ReLU after the affine transform */
  relu?: boolean;
}

export function batchNorm(x: Tensor, a: BatchNormArgs): Tensor {
  const gpu = x.gpu;
  const params = { gamma: a.gamma.buffer, beta: a.beta.buffer, runningMean: a.runningMean.buffer, runningVar: a.runningVar.buffer };
  const opts = { eps: a.eps ?? 1e-5, relu: a.relu ?? false };
  if (!a.training) {
    const y = Tensor.fromBuffer(batchNormEval(gpu, x.buffer, x.shape, params, opts), x.shape);
    // Eval mode is an affine map per channel: y = (x - rm) * invstd * gamma + beta (then ReLU).
    // Differentiable so a frozen-statistics network can still be fine-tuned.
    return record('batch_norm_eval', [x, a.gamma, a.beta], y, [x, a.gamma, a.runningMean, a.runningVar, y], (gy, [sx, sg, rm, rv, sy]) => {
      const invstd = reciprocal(sqrt(addScalar(rv, opts.eps)));
      const g = opts.relu ? mul(gy, gt0(sy)) : gy;
      const xhat = mul(sub(sx, rm), invstd);
      return [mul(g, mul(sg, invstd)), sumToShape(mul(g, xhat), [sg.size]), sumToShape(g, [sg.size])];
    });
  }
  const { y: yb, stats: sb } = batchNormTrain(gpu, x.buffer, x.shape, params, { ...opts, momentum: a.momentum ?? 0.1 });
  const y = Tensor.fromBuffer(yb, x.shape);
  const stats = Tensor.fromBuffer(sb, [2, x.shape[x.rank - 1]]);
  const out = record('batch_norm', [x, a.gamma, a.beta], y, opts.relu ? [x, a.gamma, stats, y] : [x, a.gamma, stats], (gy, [sx, sg, ss, sy]) => {
    const r = batchNormBackward(gy.gpu, gy.buffer, sx.buffer, sx.shape, sg.buffer, ss.buffer, { reluOutput: sy?.buffer });
    return [Tensor.fromBuffer(r.dx, sx.shape), Tensor.fromBuffer(r.dgamma, a.gamma.shape), Tensor.fromBuffer(r.dbeta, a.beta.shape)];
  });
  stats.dispose();
  return out;
}

export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const r = layerNormKernel(x.gpu, x.buffer, x.shape, { gamma: gamma.buffer, beta: beta.buffer }, { eps });
  const y = Tensor.fromBuffer(r.y, x.shape);
  const stats = Tensor.fromBuffer(r.stats, [2, x.size / x.shape[x.rank - 1]]);
  const out = record('layer_norm', [x, gamma, beta], y, [x, gamma, stats], (gy, [sx, sg, ss]) => {
    const g = layerNormBackward(gy.gpu, gy.buffer, sx.buffer, sx.shape, sg.buffer, ss.buffer);
    return [Tensor.fromBuffer(g.dx, sx.shape), Tensor.fromBuffer(g.dgamma, gamma.shape), Tensor.fromBuffer(g.dbeta, beta.shape)];
  });
  stats.dispose();
  return out;
}
