/** float64 reference for slice.wgsl (coordinates written out). */
import { contiguousStrides, numel } from '../shape.ts';
import { coordsRef } from '../binary/binary.ref.ts';

/** Flat index in `shape` of region element i (region shape `sizes`, box start `starts`). */
function boxIndex(i: number, sizes: readonly number[], starts: readonly number[], shape: readonly number[]): number {
  const strides = contiguousStrides(shape);
  return coordsRef(i, sizes).reduce((acc, c, k) => acc + (c + starts[k]) * strides[k], 0);
}

export function sliceRef(x: ArrayLike<number>, shape: readonly number[], starts: readonly number[], ends: readonly number[]): Float64Array {
  const sizes = ends.map((e, k) => e - starts[k]);
  const out = new Float64Array(numel(sizes));
  for (let i = 0; i < out.length; i++) out[i] = x[boxIndex(i, sizes, starts, shape)];
  return out;
}

/** dx: zeros of `shape` (or a copy of `into`), with dy added into the box. */
export function sliceBackwardRef(
  dy: ArrayLike<number>,
  shape: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  into?: ArrayLike<number>,
): Float64Array {
  const sizes = ends.map((e, k) => e - starts[k]);
  const dx = into ? Float64Array.from(into) : new Float64Array(numel(shape));
  for (let i = 0; i < numel(sizes); i++) dx[boxIndex(i, sizes, starts, shape)] += dy[i];
  return dx;
}
