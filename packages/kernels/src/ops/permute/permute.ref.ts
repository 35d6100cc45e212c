/** float64 reference for permute: out[coords] = x[coords permuted back]. */
import { contiguousStrides, numel } from '../shape.ts';
import { coordsRef } from '../binary/binary.ref.ts';

export function permuteRef(x: ArrayLike<number>, shape: readonly number[], perm: readonly number[]): { out: Float64Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = contiguousStrides(shape);
  const out = new Float64Array(numel(shape));
  for (let i = 0; i < out.length; i++) {
    const c = coordsRef(i, outShape);
    let src = 0;
    perm.forEach((p, k) => (src += c[k] * inStrides[p]));
    out[i] = x[src];
  }
  return { out, shape: outShape };
}
