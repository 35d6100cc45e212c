import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';
import { checkEmbedding } from '../embedding/embedding.ts';

const kernel = kernelFromFile('embedding_backward', 'ops/embedding_backward/', './embedding_backward.wgsl');
const NO_PAD = 0xffffffff;
// Every workgroup scans all ids: a few dozen larger row ranges keep that scan cheap while
// leaving enough workgroups for the (serial per workgroup) adds.
const MAX_GROUPS = 64;
/** ids per thread per chunk: CHUNK / WG of embedding_backward.wgsl */
const PER_THREAD = 16;

export interface EmbeddingBackwardOptions {
  /** gradient to write (fresh [vocab, dim] by default) */
  out?: GpuBuffer;
  /** add into `out` instead of overwriting it */
  accumulate?: boolean;
  /** PyTorch's padding_idx: occurrences of this id contribute no gradient */
  paddingIdx?: number;
}

/**
 * Gradient of `embedding` with respect to the [vocab, dim] table: grad[v] = sum of dy[i] over
 * the positions i with ids[i] == v, summed in increasing i (bitwise deterministic, no float
 * atomics; see embedding_backward.wgsl). Out-of-range ids and `paddingIdx` are skipped.
 */
export function embeddingBackward(
  gpu: Gpu,
  dy: GpuBuffer,
  ids: GpuBuffer,
  count: number,
  tableShape: readonly [number, number],
  opts: EmbeddingBackwardOptions = {},
): GpuBuffer {
  const name = 'embedding_backward';
  const [vocab, dim] = tableShape;
  checkEmbedding(name, vocab, dim, count, ids);
  checkHolds(dy, count * dim, name, 'dy');
  const pad = opts.paddingIdx ?? NO_PAD;
  check(Number.isInteger(pad) && pad >= 0 && pad <= NO_PAD, name, `bad paddingIdx ${pad}`);
  check(!opts.accumulate || opts.out !== undefined, name, 'accumulate needs the existing gradient as out');
  const grad = opts.out ?? gpu.alloc(vocab * dim * 4, 'embedding grad');
  checkHolds(grad, vocab * dim, name, 'out');
  check(grad !== dy, name, 'out must not alias dy');
  const rows = 256 * Math.max(1, Math.ceil(vocab / 256 / MAX_GROUPS));
  if (!opts.accumulate) gpu.commandEncoder().clearBuffer(grad.buffer, 0, vocab * dim * 4);
  gpu.dispatch(kernel, {
    params: packParams([u(count), u(vocab), u(dim), u(pad), u(rows), u(PER_THREAD)]),
    buffers: [ids, dy, grad],
    workgroups: grid(Math.ceil(vocab / rows)),
    label: `[${vocab},${dim}] x ${count} ids${opts.accumulate ? ' +=' : ''}`,
  });
  return grad;
}
