import { binary, binaryScalar, reduce, sumToShape as sumToShapeKernel, type ReduceOp } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';
import { reshape } from './shape.ts';

/** Reductions over one axis (negative counts from the end) and over everything. */

function normAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new Error(`${op}: axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Broadcasts g (x's shape with `axis` reduced to 1) back to x's shape, times `factor`. */
function expandBack(g: Tensor, keptShape: readonly number[], xShape: readonly number[], factor: number): Tensor {
  const gpu = g.gpu;
  const zeros = gpu.zeros(xShape.reduce((p, d) => p * d, 1) * 4, 'expand');
  const r = binary(gpu, 'add', zeros, xShape, g.buffer, keptShape, { out: zeros });
  if (factor !== 1) binaryScalar(gpu, 'mul', r.out, g.size === 0 ? 0 : r.shape.reduce((p, d) => p * d, 1), factor, { out: r.out });
  return Tensor.fromBuffer(r.out, xShape);
}

function reduceOp(op: ReduceOp, x: Tensor, axis: number, keepdim: boolean): Tensor {
  const ax = normAxis(axis, x.rank, op);
  const r = reduce(x.gpu, op, x.buffer, x.shape, ax, { keepdim });
  const y = Tensor.fromBuffer(r.out, r.shape);
  const kept = x.shape.map((d, k) => (k === ax ? 1 : d));
  if (op === 'sum' || op === 'mean') {
    const factor = op === 'mean' ? 1 / x.shape[ax] : 1;
    return record(op, [x], y, [], (gy) => [expandBack(gy, kept, x.shape, factor)]);
  }
  // max/min: the gradient goes to every element equal to the extreme (ties share it fully).
  return record(op, [x], y, [x, y], (gy, [sx, sy]) => {
    const mask = binary(gy.gpu, 'eq', sx.buffer, sx.shape, sy.buffer, kept);
    const g = binary(gy.gpu, 'mul', mask.out, mask.shape, gy.buffer, kept, { out: mask.out });
    return [Tensor.fromBuffer(g.out, x.shape)];
  });
}

export const sum = (x: Tensor, axis: number, keepdim = false): Tensor => reduceOp('sum', x, axis, keepdim);
export const mean = (x: Tensor, axis: number, keepdim = false): Tensor => reduceOp('mean', x, axis, keepdim);
export const max = (x: Tensor, axis: number, keepdim = false): Tensor => reduceOp('max', x, axis, keepdim);
export const min = (x: Tensor, axis: number, keepdim = false): Tensor => reduceOp('min', x, axis, keepdim);

/** Sum of all elements, as a scalar (shape []). */
export const sumAll = (x: Tensor): Tensor => reduceOp('sum', reshape(x, [x.size]), 0, false);

/** Mean of all elements, as a scalar (shape []). */
export const meanAll = (x: Tensor): Tensor => reduceOp('mean', reshape(x, [x.size]), 0, false);

/** Sums x over its broadcast dimensions down to `shape` (the adjoint of broadcasting). */
export function sumToShape(x: Tensor, shape: readonly number[]): Tensor {
  const y = Tensor.fromBuffer(sumToShapeKernel(x.gpu, x.buffer, x.shape, shape), shape);
  return record('sum_to_shape', [x], y, [], (gy) => [expandBack(gy, padRank(shape, x.rank), x.shape, 1)]);
}

function padRank(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

/** 1 where x > 0, else 0 (not differentiable; used by backward passes). */
export function gt0(x: Tensor): Tensor {
  return Tensor.fromBuffer(binaryScalar(x.gpu, 'gt', x.buffer, x.size, 0), x.shape);
}
