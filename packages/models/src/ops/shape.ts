import { Tensor, numel } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';

/** Views: reshape shares storage (contiguous tensors), so it costs nothing. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const resolved = inferShape(shape, x.size, x.describe());
  const y = x.share(resolved);
  return record('reshape', [x], y, [], (gy) => [gy.share(x.shape)]);
}

/** Resolves one -1 dimension. */
export function inferShape(shape: readonly number[], size: number, what: string): number[] {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new Error(`reshape ${what}: more than one -1 in [${shape.join(',')}]`);
  const known = numel(shape.map((d) => (d === -1 ? 1 : d)));
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (numel(out) !== size || !out.every(Number.isInteger)) throw new Error(`reshape ${what}: cannot view ${size} elements as [${shape.join(',')}]`);
  return out;
}

export const flatten = (x: Tensor, fromAxis = 1): Tensor => reshape(x, [...x.shape.slice(0, fromAxis), -1]);
