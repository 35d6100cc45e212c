import {
  avgPool2d as avgPoolKernel, avgPool2dBackward, globalAvgPool as gapKernel, globalAvgPoolBackward,
  maxPool2d as maxPoolKernel, maxPool2dBackward, type AvgPool2dOptions, type Nhwc, type Pool2dOptions,
} from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';

/** 2-D pooling over NHWC tensors. */

function nhwc(x: Tensor, op: string): Nhwc {
  if (x.rank !== 4) throw new Error(`${op}: expected NHWC input, got ${x.describe()}`);
  return [x.shape[0], x.shape[1], x.shape[2], x.shape[3]];
}

export function maxPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  const shape = nhwc(x, 'max_pool2d');
  const r = maxPoolKernel(x.gpu, x.buffer, shape, opts);
  const y = Tensor.fromBuffer(r.y, r.outShape);
  const idx = Tensor.fromBuffer(r.indices, r.outShape, 'u32');
  const out = record('max_pool2d', [x], y, [idx], (gy, [si]) => [
    Tensor.fromBuffer(maxPool2dBackward(gy.gpu, gy.buffer, si.buffer, shape, opts), shape),
  ]);
  idx.dispose();
  return out;
}

export function avgPool2d(x: Tensor, opts: AvgPool2dOptions): Tensor {
  const shape = nhwc(x, 'avg_pool2d');
  const r = avgPoolKernel(x.gpu, x.buffer, shape, opts);
  return record('avg_pool2d', [x], Tensor.fromBuffer(r.y, r.outShape), [], (gy) => [
    Tensor.fromBuffer(avgPool2dBackward(gy.gpu, gy.buffer, shape, opts), shape),
  ]);
}

/** [N,H,W,C] -> [N,C]. */
export function globalAvgPool(x: Tensor): Tensor {
  const shape = nhwc(x, 'global_avg_pool');
  const y = Tensor.fromBuffer(gapKernel(x.gpu, x.buffer, shape), [shape[0], shape[3]]);
  return record('global_avg_pool', [x], y, [], (gy) => [Tensor.fromBuffer(globalAvgPoolBackward(gy.gpu, gy.buffer, shape), shape)]);
}
