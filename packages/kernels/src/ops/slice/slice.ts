import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { MAX_DIMS, checkHolds, checkShape, collapseDims, contiguousStrides, dimParams, fmtShape, numel } from '../shape.ts';

const gatherKernel = kernelFromFile('slice', 'ops/slice/', './slice.wgsl', 'main_gather');
const scatterKernel = kernelFromFile('slice_scatter', 'ops/slice/', './slice.wgsl', 'main_scatter');

export interface SliceResult {
  out: GpuBuffer;
  shape: number[];
}

/** Checks a box (starts, sizes) inside `shape` and returns its collapsed index space. */
function boxPlan(name: string, shape: readonly number[], starts: readonly number[], sizes: readonly number[]) {
  checkShape(shape, name, 'tensor');
  check(starts.length === shape.length && sizes.length === shape.length, name, () => `box rank differs from ${fmtShape(shape)}`);
  check(
    shape.every((d, k) => Number.isInteger(starts[k]) && Number.isInteger(sizes[k]) && starts[k] >= 0 && sizes[k] >= 0 && starts[k] + sizes[k] <= d),
    name,
    () => `box at [${starts.join(',')}] of size ${fmtShape(sizes)} does not fit in ${fmtShape(shape)}`,
  );
  const strides = contiguousStrides(shape);
  const base = numel(sizes) === 0 ? 0 : starts.reduce((acc, s, k) => acc + s * strides[k], 0);
  const col = collapseDims(sizes, [strides]);
  check(col.sizes.length <= MAX_DIMS, name, () => `box ${fmtShape(sizes)} in ${fmtShape(shape)} collapses to ${col.sizes.length} > ${MAX_DIMS} dims`);
  return { n: numel(sizes), base, sizes: col.sizes, strides: col.strides[0] };
}

function dispatchBox(gpu: Gpu, scatter: boolean, accumulate: boolean, src: GpuBuffer, dst: GpuBuffer, box: ReturnType<typeof boxPlan>, label: string): void {
  gpu.dispatch(scatter ? scatterKernel : gatherKernel, {
    overrides: scatter ? { ACCUMULATE: accumulate ? 1 : 0 } : undefined,
    params: packParams([u(box.n), u(box.base), u(box.sizes.length), ...dimParams(box.sizes, 1), ...dimParams(box.strides)]),
    buffers: [src, dst],
    workgroups: grid(Math.ceil(box.n / 256)),
    label,
  });
}

/**
 * out = x[starts[0]:ends[0], starts[1]:ends[1], ...] (step 1, 0 <= start <= end <= size),
 * materialized contiguously. Backward: sliceBackward.
 */
export function slice(gpu: Gpu, x: GpuBuffer, shape: readonly number[], starts: readonly number[], ends: readonly number[], opts: { out?: GpuBuffer } = {}): SliceResult {
  const name = 'slice';
  check(ends.length === starts.length, name, 'starts and ends differ in length');
  const sizes = ends.map((e, k) => e - starts[k]);
  const box = boxPlan(name, shape, starts, sizes);
  checkHolds(x, numel(shape), name, 'x');
  const out = opts.out ?? gpu.alloc(box.n * 4, 'slice out');
  checkHolds(out, box.n, name, 'out');
  check(out !== x, name, 'out must not alias x');
  dispatchBox(gpu, false, false, x, out, box, `${fmtShape(shape)} [${starts.join(',')}]..[${ends.join(',')}]`);
  return { out, shape: sizes };
}

/**
 * Writes `src` (shape `srcShape`) into the box of `dst` (shape `dstShape`) starting at
 * `starts`: dst[starts + i] = src[i], or += with `accumulate`. Nothing outside the box changes.
 */
export function sliceScatter(
  gpu: Gpu,
  src: GpuBuffer,
  srcShape: readonly number[],
  dst: GpuBuffer,
  dstShape: readonly number[],
  starts: readonly number[],
  opts: { accumulate?: boolean } = {},
): void {
  const name = 'slice_scatter';
  checkShape(srcShape, name, 'src');
  const box = boxPlan(name, dstShape, starts, srcShape);
  checkHolds(src, box.n, name, 'src');
  checkHolds(dst, numel(dstShape), name, 'dst');
  check(src !== dst, name, 'src must not alias dst');
  const acc = opts.accumulate ?? false;
  dispatchBox(gpu, true, acc, src, dst, box, `${fmtShape(srcShape)} -> ${fmtShape(dstShape)} at [${starts.join(',')}]${acc ? ' +=' : ''}`);
}

/**
 * Gradient of slice: dx of shape `shape` holding dy in the sliced box and zeros elsewhere
 * (fresh, or `out`). With `accumulate`, dy is added into the box of an existing gradient `out`.
 */
export function sliceBackward(
  gpu: Gpu,
  dy: GpuBuffer,
  shape: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  opts: { out?: GpuBuffer; accumulate?: boolean } = {},
): GpuBuffer {
  check(!opts.accumulate || opts.out !== undefined, 'slice_backward', 'accumulate needs the existing gradient as out');
  const n = numel(shape);
  const dx = opts.out ?? gpu.alloc(n * 4, 'slice grad');
  checkHolds(dx, n, 'slice_backward', 'out');
  if (!opts.accumulate) gpu.commandEncoder().clearBuffer(dx.buffer, 0, n * 4);
  sliceScatter(gpu, dy, ends.map((e, k) => e - starts[k]), dx, shape, starts, { accumulate: opts.accumulate });
  return dx;
}
