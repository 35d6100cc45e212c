/** float64 reference for activation.wgsl. */
import { erf } from '../unary/unary.ref.ts';
import type { Activation } from './activation.ts';

export function activationRef(act: Activation, v: number): number {
  switch (act) {
    case 'none': return v;
    case 'relu': return Math.max(v, 0);
    case 'gelu': return 0.5 * v * (1 + erf(v / Math.SQRT2));
    case 'gelu_tanh': return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  }
}
