import { kernelFromFile, type Kernel } from '../../runtime/kernel.ts';
import { check } from '../../runtime/errors.ts';
import { checkShape, numel } from '../shape.ts';

/**
 * Helpers of the one-workgroup-per-row kernels (layer norm, softmax): each kernel's WGSL is
 * loaded with row_reduce.wgsl (workgroup size override WG, tree reductions) prepended, since
 * WGSL has no includes.
 */

const ROW_REDUCE = '/ops/layernorm/row_reduce.wgsl';

/** Loads `file` (relative to `base`, the calling op's folder such as 'ops/softmax/') with the row reductions prepended. */
export function rowKernel(name: string, base: string, file: string): Kernel {
  return kernelFromFile(name, base, [ROW_REDUCE, file]);
}

/**
 * Workgroup size (threads per row) for `rows` rows of `cols`. One 32-thread workgroup per row
 * (a warp on NVIDIA) unless that leaves the device short of threads (fewer than 64k in all) and
 * each thread would still get at least 4 columns; then up to 256. Measured on lavapipe, where
 * every thread of a workgroup is a coroutine switched at each barrier: 5120 rows of 768 take
 * ~190 ms with 32 threads per row and ~1000 ms with 256.
 */
export function rowWorkgroupSize(rows: number, cols: number): number {
  let wg = 32;
  while (wg < 256 && rows * wg < 65536 && wg * 4 < cols) wg *= 2;
  return wg;
}

/** Rows (product of the leading axes) and cols (last axis) of a row-wise op's input. */
export function rowsAndCols(kernel: string, shape: readonly number[]): { rows: number; cols: number } {
  check(shape.length >= 1, kernel, 'input needs at least one dimension');
  checkShape(shape, kernel, 'input');
  return { rows: numel(shape.slice(0, -1)), cols: shape[shape.length - 1] };
}
