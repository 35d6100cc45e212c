export { Gpu, createGpu, getGpu, listAdapters, grid, type GpuOptions, type DispatchSpec, type AdapterDescription } from './runtime/gpu.ts';
export { GpuBuffer } from './runtime/buffer.ts';
export { BufferPool, sizeClass, type PoolStats } from './runtime/pool.ts';
export { GpuError, ShapeError, check } from './runtime/errors.ts';
export { kernelFromFile, kernelFromSource, type Kernel, type Overrides } from './runtime/kernel.ts';
export { packParams, u, i, f, type ParamValue } from './runtime/params.ts';
export { GpuTimer } from './runtime/timing.ts';
export { KernelProfiler, summarizeProfile, type DispatchTime, type KernelSummaryRow } from './runtime/profiler.ts';
export * as testing from './testing.ts';

export { unary, UNARY_OPS, type UnaryOp } from './ops/unary/unary.ts';
export { unaryRef, erf } from './ops/unary/unary.ref.ts';

export {
  maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward, globalAvgPool, globalAvgPoolBackward, pool2dGeometry,
  type Nhwc, type Pool2dOptions, type AvgPool2dOptions, type Pool2dGeometry, type MaxPool2dResult,
} from './ops/pool/pool.ts';
export {
  maxPool2dRef, maxPool2dBackwardRef, avgPool2dRef, avgPool2dBackwardRef, globalAvgPoolRef, globalAvgPoolBackwardRef,
} from './ops/pool/pool.ref.ts';

export {
  attentionForward, attentionBackward, attentionKernelFor, ATTENTION_MAX_HEAD_DIM, type AttentionKernel,
  type AttentionShape, type AttentionInputs, type AttentionDropout, type AttentionForwardOptions, type AttentionForwardResult,
  type AttentionBackwardInputs, type AttentionBackwardOptions, type AttentionGrads,
} from './ops/attention/attention.ts';
export { attentionForwardRef, attentionBackwardRef, type AttentionRefForward, type AttentionRefGrads } from './ops/attention/attention.ref.ts';
export { infoNce, type InfoNceShape, type InfoNceOptions, type InfoNceResult, type LogitScale } from './ops/infonce/infonce.ts';
export { infoNceRef, type InfoNceRef } from './ops/infonce/infonce.ref.ts';

// Autograd building blocks: unary backward, broadcasting binary ops, reductions, data movement, embedding, optimizers.
export { unaryBackward, UNARY_GRAD_SAVES, type UnaryBackwardArgs } from './ops/unary_backward/unary_backward.ts';
export { unaryGradRef } from './ops/unary_backward/unary_backward.ref.ts';
export { binary, binaryScalar, BINARY_OPS, type BinaryOp, type BinaryResult } from './ops/binary/binary.ts';
export { binaryRef, binaryOpRef, broadcastIndexRef, coordsRef } from './ops/binary/binary.ref.ts';
export { MAX_DIMS, numel, contiguousStrides, broadcastShapes, normalizeAxis, sameShape } from './ops/shape.ts';
export { reduce, reduceAxis, argReduce, sumToShape, sumSquares, type ReduceOp, type ArgReduceOp, type ReduceResult, type ReduceOptions } from './ops/reduce/reduce.ts';
export { reduceRef, argReduceRef, sumToShapeRef } from './ops/reduce/reduce.ref.ts';
export { permute, inversePerm, type PermuteResult } from './ops/permute/permute.ts';
export { permuteRef } from './ops/permute/permute.ref.ts';
export { transpose, transposeFits } from './ops/transpose/transpose.ts';
export { transposeRef } from './ops/transpose/transpose.ref.ts';
export { slice, sliceBackward, sliceScatter, type SliceResult } from './ops/slice/slice.ts';
export { sliceRef, sliceBackwardRef } from './ops/slice/slice.ref.ts';
export { concat, concatBackward, type ConcatResult } from './ops/concat/concat.ts';
export { concatRef } from './ops/concat/concat.ref.ts';
export { fill, arange, ramp, type FillDtype, type RampOptions } from './ops/fill/fill.ts';
export { rampRef } from './ops/fill/fill.ref.ts';
export { cast, type Dtype } from './ops/cast/cast.ts';
export { castRef } from './ops/cast/cast.ref.ts';
export { embedding } from './ops/embedding/embedding.ts';
export { embeddingRef } from './ops/embedding/embedding.ref.ts';
export { embeddingBackward, type EmbeddingBackwardOptions } from './ops/embedding_backward/embedding_backward.ts';
export { embeddingBackwardRef } from './ops/embedding_backward/embedding_backward.ref.ts';
export { adamStep, type AdamOptions } from './ops/adam/adam.ts';
export { adamStepRef, type AdamRefState } from './ops/adam/adam.ref.ts';
export { sgdStep, type SgdOptions } from './ops/sgd/sgd.ts';
export { sgdStepRef } from './ops/sgd/sgd.ref.ts';
export { gradNorm, resolveGradScale, type GradScaleOptions } from './ops/grad_norm/grad_norm.ts';
export { gradNormRef } from './ops/grad_norm/grad_norm.ref.ts';

export {
  batchNormTrain, batchNormEval, batchNormBackward,
  type BatchNormParams, type BatchNormOptions, type BatchNormTrainOptions, type BatchNormTrainResult, type BatchNormBackwardOptions,
} from './ops/batchnorm/batchnorm.ts';
export { batchNormTrainRef, batchNormEvalRef, batchNormBackwardRef, type BatchNormRefState } from './ops/batchnorm/batchnorm.ref.ts';
export { affineGrad, rowBlocks, type AffineGradOptions } from './ops/batchnorm/affine_grad.ts';

export { layerNorm, layerNormBackward, type LayerNormParams, type LayerNormResult } from './ops/layernorm/layernorm.ts';
export { rowKernel, rowWorkgroupSize, rowsAndCols } from './ops/layernorm/rows.ts';
export { layerNormRef, layerNormBackwardRef } from './ops/layernorm/layernorm.ref.ts';
export { softmax, softmaxBackward, type SoftmaxOptions } from './ops/softmax/softmax.ts';
export { softmaxRef, softmaxBackwardRef } from './ops/softmax/softmax.ref.ts';

export { matmul, planMatmul, subgroupMatmulAvailable, type MatmulOptions, type MatmulPlan, type MatmulKernel } from './ops/matmul/matmul.ts';
export { matmulRef, type MatmulRefOptions } from './ops/matmul/matmul.ref.ts';
export { ACTIVATIONS, kernelWithActivations, type Activation } from './ops/common/activation.ts';
export { activationRef } from './ops/common/activation.ref.ts';
export { dropout, dropoutParams, type DropoutOptions } from './ops/dropout/dropout.ts';
export { dropoutRef, dropoutKeepRef } from './ops/dropout/dropout.ref.ts';

export {
  conv2d, conv2dBackwardInput, conv2dBackwardWeight, conv2dOutputSize, conv2dGeometry, conv2dAlgorithm,
  type Conv2dShape, type Conv2dGeometry, type Conv2dOptions, type Conv2dBackwardInputOptions, type Conv2dBackwardWeightOptions,
  type Conv2dActivation, type Conv2dAlgorithm, type TileExchange,
} from './ops/conv2d/conv2d.ts';
export { conv2dRef, conv2dBackwardInputRef, conv2dBackwardWeightRef } from './ops/conv2d/conv2d.ref.ts';

export { runBench, loadBenchCases, formatBenchTable, type BenchOptions, type BenchReport } from './bench/runner.ts';
export type { BenchCase, BenchRun, PeerRun, BenchRow, Tf } from './bench/types.ts';

// Splice localization building blocks: overlapping-patch voting, the official mean shift, exact
// selection (percentiles), pairwise distances and cut affinities.
export { boxVote, boxVoteNormalize } from './ops/boxvote/boxvote.ts';
export { boxVoteRef, boxVoteNormalizeRef, voteCount } from './ops/boxvote/boxvote.ref.ts';
export { meanShiftNeighbours, meanShiftSweep, type MeanShiftShape } from './ops/meanshift/meanshift.ts';
export { meanShiftRef } from './ops/meanshift/meanshift.ref.ts';
export { radixHistogram, floatKey, keyFloat } from './ops/radix_select/radix_select.ts';
export { gramDistances, cutAffinity, diagonal } from './ops/pairwise/pairwise.ts';
export { gramDistancesRef, cutAffinityRef } from './ops/pairwise/pairwise.ref.ts';
