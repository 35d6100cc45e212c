import type { Tensor } from '../tensor/tensor.ts';

/**
 * The autograd record of one op: its inputs (where gradients flow), the tensors its backward
 * needs (`saved`: handles that keep the storage alive until backward has run), and the backward
 * function mapping the output gradient to one gradient per input (null where an input needs
 * none). Backward runs with recording disabled, inside a scope that disposes temporaries.
 */
export interface Node {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  saved: Tensor[];
  backward(gradOut: Tensor, saved: readonly Tensor[]): (Tensor | null)[];
}
