/**
 * Shape bookkeeping shared by the shape-based launchers (binary, reduce, permute, slice,
 * concat). Everything is contiguous row-major, so a tensor is a buffer plus its shape; these
 * helpers validate shapes, compute broadcasts and strides, and collapse a strided index space
 * to as few dimensions as possible (fewer dimensions = less index arithmetic per element, and
 * the fast paths are recognised on the collapsed form).
 */
import { check } from '../runtime/errors.ts';
import { u, type ParamValue } from '../runtime/params.ts';

/** Most dimensions a strided kernel (binary, permute, slice) handles after collapsing. */
export const MAX_DIMS = 6;

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Throws unless every entry is a non-negative integer. */
export function checkShape(shape: readonly number[], kernel: string, what: string): void {
  check(
    shape.every((d) => Number.isInteger(d) && d >= 0),
    kernel,
    () => `${what} shape ${fmtShape(shape)} must hold non-negative integers`,
  );
}

/** Throws unless `buf` holds at least the `n` 4-byte elements a shape needs. */
export function checkHolds(buf: { length: number; label: string }, n: number, kernel: string, what: string): void {
  check(buf.length >= n, kernel, () => `${what} '${buf.label}' holds ${buf.length} elements, shape needs ${n}`);
}

/** Row-major element strides of a contiguous tensor. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/** NumPy/PyTorch broadcast of two shapes (right-aligned; a dimension of 1 stretches). */
export function broadcastShapes(a: readonly number[], b: readonly number[], kernel = 'broadcast'): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let k = 0; k < r; k++) {
    const da = a[a.length - r + k] ?? 1;
    const db = b[b.length - r + k] ?? 1;
    check(da === db || da === 1 || db === 1, kernel, () => `shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast`);
    out[k] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides with which a contiguous tensor of `shape` is read when broadcast to `outShape`:
 * 0 along every dimension it is stretched (or missing), its own stride elsewhere.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const off = outShape.length - shape.length;
  return outShape.map((d, k) => (k < off || (shape[k - off] === 1 && d !== 1) ? 0 : own[k - off]));
}

/** Python-style axis (negative counts from the end) checked against `rank`. */
export function normalizeAxis(axis: number, rank: number, kernel: string): number {
  check(Number.isInteger(axis) && axis >= -rank && axis < rank, kernel, `axis ${axis} out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

export interface Collapsed {
  /** sizes of the remaining dimensions, outermost first */
  sizes: number[];
  /** for each operand, its stride along each remaining dimension */
  strides: number[][];
}

/**
 * Collapses an index space given by `sizes` and one stride list per operand: dimensions of
 * size 1 are dropped, and a dimension merges into its inner neighbour wherever every operand
 * steps through both as through one (outer stride == inner size * inner stride; broadcast
 * zeros satisfy this trivially). The element order is unchanged.
 */
export function collapseDims(sizes: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const out: Collapsed = { sizes: [], strides: strides.map(() => []) };
  for (let d = 0; d < sizes.length; d++) {
    if (sizes[d] === 1) continue;
    const last = out.sizes.length - 1;
    // Merging d into the previous kept dimension p requires stride_p == size_d * stride_d.
    if (last >= 0 && strides.every((s, k) => out.strides[k][last] === sizes[d] * s[d])) {
      out.sizes[last] *= sizes[d];
      strides.forEach((s, k) => (out.strides[k][last] = s[d]));
    } else {
      out.sizes.push(sizes[d]);
      strides.forEach((s, k) => out.strides[k].push(s[d]));
    }
  }
  return out;
}

/** MAX_DIMS u32 params from `values` (padded with `fill`), for kernels that index up to 6-D. */
export function dimParams(values: readonly number[], fill = 0): ParamValue[] {
  const out: ParamValue[] = [];
  for (let k = 0; k < MAX_DIMS; k++) out.push(u(values[k] ?? fill));
  return out;
}
