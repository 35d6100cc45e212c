import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const kernel = kernelFromFile('embedding', 'ops/embedding/', './embedding.wgsl');

/** Validates [vocab, dim] and `count`; shared by the forward and backward launchers. */
export function checkEmbedding(name: string, vocab: number, dim: number, count: number, ids: GpuBuffer): void {
  check([vocab, dim, count].every((v) => Number.isInteger(v) && v >= 0), name, `bad table [${vocab},${dim}] or count ${count}`);
  check(vocab < 0xffffffff, name, `vocab ${vocab} too large for u32 ids`);
  checkHolds(ids, count, name, 'ids');
}

/**
 * out[i, :] = table[ids[i], :] for `count` u32 ids into a [vocab, dim] table; out [count, dim].
 * Out-of-range ids (>= vocab) give zero rows (no error: the GPU cannot throw; validate ids on
 * the host where they are made). Backward: embeddingBackward.
 */
export function embedding(gpu: Gpu, table: GpuBuffer, tableShape: readonly [number, number], ids: GpuBuffer, count: number, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  const name = 'embedding';
  const [vocab, dim] = tableShape;
  checkEmbedding(name, vocab, dim, count, ids);
  checkHolds(table, vocab * dim, name, 'table');
  const out = opts.out ?? gpu.alloc(count * dim * 4, 'embedding out');
  checkHolds(out, count * dim, name, 'out');
  check(out !== table, name, 'out must not alias the table');
  gpu.dispatch(kernel, {
    params: packParams([u(count), u(vocab), u(dim)]),
    buffers: [table, ids, out],
    workgroups: grid(Math.ceil((count * dim) / 256)),
    label: `[${vocab},${dim}] x ${count} ids`,
  });
  return out;
}
