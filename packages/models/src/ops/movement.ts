import { concat as concatKernel, concatBackward, inversePerm, permute as permuteKernel, slice as sliceKernel, sliceBackward } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';

/**
 * Data movement. Tensors have no strides, so every view that is not a reshape is materialised
 * by a kernel; each backward is the adjoint movement (inverse permutation, scatter into zeros,
 * split).
 */

function normAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(Number.isInteger(a) && a >= 0 && a < rank)) throw new Error(`${op}: axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Output axis k is input axis perm[k] (torch.permute). */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const r = permuteKernel(x.gpu, x.buffer, x.shape, perm);
  const inv = inversePerm(perm);
  return record('permute', [x], Tensor.fromBuffer(r.out, r.shape, x.dtype), [], (gy) => [
    Tensor.fromBuffer(permuteKernel(gy.gpu, gy.buffer, gy.shape, inv).out, x.shape),
  ]);
}

/** Swaps two axes. */
export function transpose(x: Tensor, a: number, b: number): Tensor {
  const perm = x.shape.map((_, k) => k);
  const i = normAxis(a, x.rank, 'transpose');
  const j = normAxis(b, x.rank, 'transpose');
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return permute(x, perm);
}

/** x[starts[0]:ends[0], ...] (step 1); missing trailing axes are taken whole. */
export function slice(x: Tensor, starts: readonly number[], ends: readonly number[]): Tensor {
  const s = x.shape.map((_, k) => starts[k] ?? 0);
  const e = x.shape.map((d, k) => ends[k] ?? d);
  const r = sliceKernel(x.gpu, x.buffer, x.shape, s, e);
  return record('slice', [x], Tensor.fromBuffer(r.out, r.shape, x.dtype), [], (gy) => [
    Tensor.fromBuffer(sliceBackward(gy.gpu, gy.buffer, x.shape, s, e), x.shape),
  ]);
}

/** x[..., start:end, ...] along one axis. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const ax = normAxis(axis, x.rank, 'narrow');
  return slice(x, x.shape.map((_, k) => (k === ax ? start : 0)), x.shape.map((d, k) => (k === ax ? start + length : d)));
}

/** Concatenation along `axis` (negative counts from the end). */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (!xs.length) throw new Error('concat: no inputs');
  const dtype = xs[0].dtype;
  if (xs.some((t) => t.dtype !== dtype)) throw new Error(`concat: mixed dtypes (${xs.map((t) => t.describe()).join(', ')})`);
  const shapes = xs.map((t) => t.shape);
  const r = concatKernel(xs[0].gpu, xs.map((t) => t.buffer), shapes, axis);
  return record('concat', xs, Tensor.fromBuffer(r.out, r.shape, dtype), [], (gy) =>
    concatBackward(gy.gpu, gy.buffer, shapes, axis).map((b, k) => {
      if (xs[k].requiresGrad) return Tensor.fromBuffer(b, shapes[k]);
      b.release();
      return null;
    }),
  );
}
