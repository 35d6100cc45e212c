export { Tensor, Storage, numel, sameShape, type DType } from './tensor/tensor.ts';
export { scope, scopeAsync, keep, scopeDepth } from './tensor/scope.ts';
export { tensor, zeros, ones, full, randn, randu } from './tensor/create.ts';
export { isGradEnabled, noGrad, noGradAsync } from './autograd/grad-mode.ts';
export { backward, releaseGraph, record, type BackwardOptions } from './autograd/tape.ts';
export type { Node } from './autograd/node.ts';
export { gradcheck, type GradcheckInput, type GradcheckOptions } from './autograd/gradcheck.ts';
export * as ops from './ops/index.ts';
export * from './checkpoint/index.ts';
export * as nn from './nn/index.ts';
export * from './models/index.ts';
export * as optim from './optim/index.ts';
export {
  saveTrainingCheckpoint, loadTrainingCheckpoint, readTrainingCheckpointInfo, TRAINING_CHECKPOINT_KIND, TRAINING_CHECKPOINT_VERSION,
  type JsonValue, type LoadTrainingOptions, type SaveTrainingOptions, type TrainingCheckpointInfo, type TrainingMeta,
} from './checkpoint/training.ts';
export { CheckpointDir, LATEST_POINTER, type CheckpointDirOptions } from './checkpoint/training-dir.ts';
export * as bench from './bench/index.ts';
