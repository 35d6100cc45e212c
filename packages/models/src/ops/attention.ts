import { attentionBackward, attentionForward } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';

/**
 * Fused scaled dot-product attention over [B, T, H, D] q, k, v with a [B, T] u32 key mask
 * (1 = token, 0 = padding). The backward recomputes probabilities from the saved logsumexp.
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor, scale?: number): Tensor {
  if (q.rank !== 4) throw new Error(`attention: q must be [B,T,H,D], got ${q.describe()}`);
  const [B, T, H, D] = q.shape;
  for (const t of [k, v]) if (t.shape.join() !== q.shape.join()) throw new Error(`attention: ${t.describe()} must match q ${q.describe()}`);
  if (mask.dtype !== 'u32' || mask.size !== B * T) throw new Error(`attention: mask must be u32 [${B},${T}], got ${mask.describe()}`);
  const shape = { B, T, H, D };
  const inputs = { q: q.buffer, k: k.buffer, v: v.buffer, mask: mask.buffer };
  const r = attentionForward(q.gpu, inputs, shape, { scale });
  const out = Tensor.fromBuffer(r.out, q.shape);
  const lse = Tensor.fromBuffer(r.lse, [B, H, T]);
  const y = record('attention', [q, k, v], out, [q, k, v, mask, out, lse], (gy, [sq, sk, sv, sm, so, sl]) => {
    const g = attentionBackward(gy.gpu, { q: sq.buffer, k: sk.buffer, v: sv.buffer, mask: sm.buffer, out: so.buffer, lse: sl.buffer, dOut: gy.buffer }, shape, { scale });
    return [Tensor.fromBuffer(g.dq, q.shape), Tensor.fromBuffer(g.dk, q.shape), Tensor.fromBuffer(g.dv, q.shape)];
  });
  lse.dispose();
  return y;
}
