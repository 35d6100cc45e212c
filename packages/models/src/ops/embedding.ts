import { embedding as embeddingKernel, embeddingBackward } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';

/**
 * Row lookup: out[..., :] = table[ids[...], :] for u32 ids of any shape; out is
 * [...ids.shape, dim]. The table's gradient is the deterministic scatter-add kernel (sums in
 * position order, no float atomics), so two runs give bit-identical gradients.
 * `paddingIdx` (PyTorch's padding_idx): that row gets no gradient.
 */
export function embedding(table: Tensor, ids: Tensor, paddingIdx?: number): Tensor {
  if (table.rank !== 2 || table.dtype !== 'f32') throw new Error(`embedding: table must be f32 [vocab, dim], got ${table.describe()}`);
  if (ids.dtype !== 'u32') throw new Error(`embedding: ids must be u32, got ${ids.describe()}`);
  const [vocab, dim] = table.shape as [number, number];
  const y = Tensor.fromBuffer(embeddingKernel(table.gpu, table.buffer, [vocab, dim], ids.buffer, ids.size), [...ids.shape, dim]);
  return record('embedding', [table, ids], y, [ids], (gy, [sids]) => [
    Tensor.fromBuffer(embeddingBackward(gy.gpu, gy.buffer, sids.buffer, sids.size, [vocab, dim], { paddingIdx }), table.shape),
    null,
  ]);
}
