export { Tensor, Storage, numel, sameShape, type DType } from './tensor/tensor.ts';
export { scope, scopeAsync, keep, scopeDepth } from './tensor/scope.ts';
export { tensor, zeros, ones, full, randn, randu } from './tensor/create.ts';
export { isGradEnabled, noGrad, noGradAsync } from './autograd/grad-mode.ts';
export { backward, releaseGraph, record, type BackwardOptions } from './autograd/tape.ts';
export type { Node } from './autograd/node.ts';
export { gradcheck, type GradcheckInput, type GradcheckOptions } from './autograd/gradcheck.ts';
export * as ops from './ops/index.ts';
export * from './checkpoint/index.ts';
