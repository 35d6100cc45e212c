import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { MAX_DIMS, checkHolds, checkShape, collapseDims, contiguousStrides, dimParams, fmtShape, numel } from '../shape.ts';
import { transpose, transposeFits } from '../transpose/transpose.ts';

const kernel = kernelFromFile('permute', 'ops/permute/', './permute.wgsl');

export interface PermuteResult {
  out: GpuBuffer;
  shape: number[];
}

/** The inverse permutation: permuting by `perm` and then by inversePerm(perm) is the identity. */
export function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, k) => (inv[p] = k));
  return inv;
}

/**
 * out = x.permute(perm) materialized contiguously: output dim k is input dim perm[k]. The index
 * space is collapsed first; what remains is a copy (identity), a tiled (batched) 2-D transpose,
 * or the general strided kernel (at most 6 collapsed dims). Its backward is permute by
 * inversePerm(perm).
 */
export function permute(gpu: Gpu, x: GpuBuffer, shape: readonly number[], perm: readonly number[], opts: { out?: GpuBuffer } = {}): PermuteResult {
  const name = 'permute';
  checkShape(shape, name, 'x');
  check(
    perm.length === shape.length && [...perm].sort((a, b) => a - b).every((p, k) => p === k),
    name,
    () => `[${perm.join(',')}] is not a permutation of the ${shape.length} axes of ${fmtShape(shape)}`,
  );
  const n = numel(shape);
  checkHolds(x, n, name, 'x');
  const outShape = perm.map((p) => shape[p]);
  const out = opts.out ?? gpu.alloc(n * 4, 'permute out');
  checkHolds(out, n, name, 'out');
  check(out !== x, name, 'out must not alias x');
  const inStrides = contiguousStrides(shape);
  const { sizes, strides } = collapseDims(outShape, [perm.map((p) => inStrides[p])]);
  const st = strides[0];
  const label = `${fmtShape(shape)} perm [${perm.join(',')}]`;
  if (sizes.length <= 1) {
    gpu.copy(x, out, n * 4); // nothing moves
  } else if (sizes.length === 2 && st[0] === 1 && st[1] === sizes[0] && transposeFits(1, sizes[1], sizes[0])) {
    transpose(gpu, x, 1, sizes[1], sizes[0], { out });
  } else if (sizes.length === 3 && st[1] === 1 && st[2] === sizes[1] && st[0] === sizes[1] * sizes[2] && transposeFits(sizes[0], sizes[2], sizes[1])) {
    transpose(gpu, x, sizes[0], sizes[2], sizes[1], { out });
  } else {
    check(sizes.length <= MAX_DIMS, name, () => `${label} collapses to ${sizes.length} > ${MAX_DIMS} dims`);
    gpu.dispatch(kernel, {
      params: packParams([u(n), u(sizes.length), ...dimParams(sizes, 1), ...dimParams(st)]),
      buffers: [x, out],
      workgroups: grid(Math.ceil(n / 256)),
      label,
    });
  }
  return { out, shape: outShape };
}
