import { softmax as softmaxKernel, softmaxBackward } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';

/** Softmax / log-softmax over the last axis; the backward needs only the output. */
function softmaxOp(x: Tensor, log: boolean): Tensor {
  const y = Tensor.fromBuffer(softmaxKernel(x.gpu, x.buffer, x.shape, { log }), x.shape);
  return record(log ? 'log_softmax' : 'softmax', [x], y, [y], (gy, [sy]) => [
    Tensor.fromBuffer(softmaxBackward(gy.gpu, sy.buffer, gy.buffer, sy.shape, { log }), sy.shape),
  ]);
}

export const softmax = (x: Tensor): Tensor => softmaxOp(x, false);
export const logSoftmax = (x: Tensor): Tensor => softmaxOp(x, true);
