import { dropout as dropoutKernel } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';
import { reshape } from './shape.ts';

/**
 * Inverted dropout: in training, each element is zeroed with probability p and the survivors
 * are scaled by 1 / (1 - p); otherwise (or p = 0) the identity. The mask is a hash of
 * (seed, element index), so the backward recomputes it instead of storing it: the same call on
 * the output gradient. Callers pass a fresh seed per call (nn.Dropout counts calls).
 */
export function dropout(x: Tensor, p: number, seed: readonly [number, number], training: boolean): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: p ${p} is not in [0, 1]`);
  // A shared view keeps the contract "the result is a new handle" (callers may dispose it).
  if (!training || p === 0) return reshape(x, x.shape);
  const y = Tensor.fromBuffer(dropoutKernel(x.gpu, x.buffer, x.size, { p, seed }), x.shape);
  return record('dropout', [x], y, [], (gy) => [Tensor.fromBuffer(dropoutKernel(gy.gpu, gy.buffer, gy.size, { p, seed }), x.shape)]);
}
