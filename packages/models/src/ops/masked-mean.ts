import { cast } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { clamp, div, mul } from './elementwise.ts';
import { sum } from './reduce.ts';
import { scope } from '../tensor/scope.ts';

/**
 * Mean of h [B, T, D] over the tokens where mask [B, T] (u32, 1 = token) is set:
 * sum_t(h * mask) / max(sum_t(mask), 1e-9), the official text embedding (HF DistilBERT's last
 * hidden state averaged over real tokens). A row without tokens gives zeros, not NaN. Composed
 * of recorded ops; only h is differentiated.
 */
export function maskedMean(h: Tensor, mask: Tensor): Tensor {
  if (h.rank !== 3) throw new Error(`maskedMean: h must be [B, T, D], got ${h.describe()}`);
  const [B, T] = h.shape;
  if (mask.dtype !== 'u32' || mask.size !== B * T) throw new Error(`maskedMean: mask must be u32 [${B}, ${T}], got ${mask.describe()}`);
  return scope(() => {
    const m = Tensor.fromBuffer(cast(h.gpu, mask.buffer, B * T, 'u32', 'f32'), [B, T, 1]);
    const total = sum(mul(h, m), 1); // [B, D]
    const count = clamp(sum(m, 1), 1e-9, Infinity); // [B, 1]
    return div(total, count);
  });
}
