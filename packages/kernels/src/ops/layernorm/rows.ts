import { readFileSync } from 'node:fs';
import { kernelFromSource, type Kernel } from '../../runtime/kernel.ts';
import { check } from '../../runtime/errors.ts';
import { checkShape, numel } from '../shape.ts';

/**
 * Helpers of the one-workgroup-per-row kernels (layer norm, softmax): each kernel's WGSL is
 * loaded with row_reduce.wgsl (workgroup size override WG, tree reductions) prepended, since
 * WGSL has no includes.
 */

const shared = readFileSync(new URL('./row_reduce.wgsl', import.meta.url), 'utf8');

/** Loads `file` (relative to `base`, i.e. import.meta.url) with the row reductions prepended. */
export function rowKernel(name: string, base: string, file: string): Kernel {
  return kernelFromSource(name, `${shared}\n${readFileSync(new URL(file, base), 'utf8')}`);
}

/**
 * Workgroup size for rows of `cols`: the smallest power of two covering the row, between 32
 * (narrow rows: fewer idle threads) and 256 (wide rows: each thread takes several columns).
 */
export function rowWorkgroupSize(cols: number): number {
  let wg = 32;
  while (wg < cols && wg < 256) wg *= 2;
  return wg;
}

/** Rows (product of the leading axes) and cols (last axis) of a row-wise op's input. */
export function rowsAndCols(kernel: string, shape: readonly number[]): { rows: number; cols: number } {
  check(shape.length >= 1, kernel, 'input needs at least one dimension');
  checkShape(shape, kernel, 'input');
  return { rows: numel(shape.slice(0, -1)), cols: shape[shape.length - 1] };
}
