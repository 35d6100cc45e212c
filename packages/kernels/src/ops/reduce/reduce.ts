import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { broadcastShapes, checkHolds, checkShape, fmtShape, normalizeAxis, numel, sameShape } from '../shape.ts';

const kernel = kernelFromFile('reduce', 'ops/reduce/', './reduce.wgsl');
const kernelArg = kernelFromFile('reduce_arg', 'ops/reduce/', './reduce.wgsl', 'main_arg');

export type ReduceOp = 'sum' | 'mean' | 'max' | 'min';
export type ArgReduceOp = 'argmax' | 'argmin';

export interface ReduceResult {
  out: GpuBuffer;
  shape: number[];
}

export interface ReduceOptions {
  /** keep the reduced axis as a dimension of size 1 */
  keepdim?: boolean;
  out?: GpuBuffer;
  /** element offset at which the result is written into `out` */
  outOffset?: number;
}

/** Above this many serial steps per thread a long axis is split over workgroups (two passes). */
const MAX_SERIAL = 64;
/** Splitting stops once this many workgroups are busy. */
const TARGET_GROUPS = 1024;

interface Plan {
  tx: number;
  splits: number;
  chunk: number;
}

function floorPow2(v: number): number {
  return v < 1 ? 1 : 2 ** Math.floor(Math.log2(v));
}

/**
 * Thread layout for [outer, axis, inner]: lanes along the outputs (coalesced when inner >= 32)
 * vs threads along the axis (about 8 elements each before the tree), and how many workgroups
 * share one long axis. A function of the shape alone, so results are reproducible.
 */
function plan(outer: number, axis: number, inner: number, allowSplit: boolean): Plan {
  const ty = inner >= 32 ? 8 : Math.min(256, floorPow2(Math.ceil(axis / 8)));
  const tx = 256 / ty;
  const groups = Math.ceil((outer * inner) / tx);
  const perThread = Math.ceil(axis / ty);
  let splits = 1;
  if (allowSplit && perThread > MAX_SERIAL && groups < TARGET_GROUPS) {
    splits = Math.min(Math.ceil(perThread / MAX_SERIAL), Math.ceil(TARGET_GROUPS / groups));
  }
  const chunk = Math.max(1, Math.ceil(axis / splits));
  return { tx, splits: axis === 0 ? 1 : Math.ceil(axis / chunk), chunk };
}

interface Combine {
  code: 0 | 1 | 2;
  init: number;
  square: boolean;
}

const COMBINES: Record<ReduceOp | ArgReduceOp | 'sumsq', Combine> = {
  sum: { code: 0, init: 0, square: false },
  mean: { code: 0, init: 0, square: false },
  max: { code: 1, init: -Infinity, square: false },
  min: { code: 2, init: Infinity, square: false },
  argmax: { code: 1, init: -Infinity, square: false },
  argmin: { code: 2, init: Infinity, square: false },
  sumsq: { code: 0, init: 0, square: true },
};

/**
 * Records the reduction of [outer, axis, inner] into out[outOffset ..]: one pass, or, for a
 * long axis over few outputs, a pass into partials [outer, splits, inner] and a reduction of
 * their middle axis (recursively). The final pass divides by `divisor` (the axis for mean).
 */
function dispatchReduce(
  gpu: Gpu,
  what: string,
  c: Combine,
  arg: boolean,
  x: GpuBuffer,
  view: [number, number, number],
  out: GpuBuffer,
  outOffset: number,
  divisor: number,
): void {
  const [outer, axis, inner] = view;
  const pl = plan(outer, axis, inner, !arg);
  const outputs = outer * inner;
  const partial = pl.splits > 1 ? gpu.alloc(outputs * pl.splits * 4, `${what} partials`) : null;
  gpu.dispatch(arg ? kernelArg : kernel, {
    overrides: { COMBINE: c.code },
    params: packParams([
      u(outputs), u(axis), u(inner), u(pl.chunk), u(pl.splits), u(partial ? 0 : outOffset), f(partial ? 1 : divisor), f(c.init),
      u(Math.log2(pl.tx)), u(c.square ? 1 : 0),
    ]),
    buffers: [x, partial ?? out],
    workgroups: grid(Math.ceil(outputs / pl.tx) * pl.splits),
    label: `${what} [${outer},${axis},${inner}] tx=${pl.tx}${pl.splits > 1 ? ` splits=${pl.splits}` : ''}`,
  });
  if (partial) {
    // Squares were taken in the first pass; the partials are plain values to combine.
    dispatchReduce(gpu, `${what} pass 2`, { ...c, square: false }, false, partial, [outer, pl.splits, inner], out, outOffset, divisor);
    partial.release();
  }
}

/**
 * Reduces x viewed as [outer, axis, inner] over its middle axis into [outer, inner] (f32),
 * written at out[outOffset ..]. The building block under `reduce`, `sumToShape`, `sumSquares`.
 * Sums are Kahan-compensated per thread and tree-combined in a fixed order (deterministic).
 */
export function reduceAxis(
  gpu: Gpu,
  op: ReduceOp | 'sumsq',
  x: GpuBuffer,
  outer: number,
  axis: number,
  inner: number,
  opts: { out?: GpuBuffer; outOffset?: number } = {},
): GpuBuffer {
  const name = `reduce(${op})`;
  check([outer, axis, inner].every((d) => Number.isInteger(d) && d >= 0), name, `bad view [${outer},${axis},${inner}]`);
  check(axis > 0 || (op !== 'max' && op !== 'min'), name, `cannot take ${op} over an empty axis`);
  checkHolds(x, outer * axis * inner, name, 'x');
  const offset = opts.outOffset ?? 0;
  check(Number.isInteger(offset) && offset >= 0, name, `bad outOffset ${offset}`);
  const out = opts.out ?? gpu.alloc((offset + outer * inner) * 4, `${op} out`);
  checkHolds(out, offset + outer * inner, name, 'out');
  check(out !== x, name, 'out must not alias x');
  dispatchReduce(gpu, op, COMBINES[op], false, x, [outer, axis, inner], out, offset, op === 'mean' ? axis : 1);
  return out;
}

function reducedShape(shape: readonly number[], axis: number, keepdim: boolean): number[] {
  return keepdim ? shape.map((d, k) => (k === axis ? 1 : d)) : shape.filter((_, k) => k !== axis);
}

function view(shape: readonly number[], axis: number): [number, number, number] {
  return [numel(shape.slice(0, axis)), shape[axis], numel(shape.slice(axis + 1))];
}

/**
 * sum / mean / max / min of x (shape `shape`) over one axis (negative counts from the end).
 * Returns the f32 result and its shape (the axis dropped, or kept as 1 with keepdim).
 */
export function reduce(gpu: Gpu, op: ReduceOp, x: GpuBuffer, shape: readonly number[], axis: number, opts: ReduceOptions = {}): ReduceResult {
  const name = `reduce(${op})`;
  checkShape(shape, name, 'x');
  const ax = normalizeAxis(axis, shape.length, name);
  const [outer, len, inner] = view(shape, ax);
  const out = reduceAxis(gpu, op, x, outer, len, inner, opts);
  return { out, shape: reducedShape(shape, ax, opts.keepdim ?? false) };
}

/** argmax / argmin over one axis: u32 indices along that axis (the first one on ties). */
export function argReduce(gpu: Gpu, op: ArgReduceOp, x: GpuBuffer, shape: readonly number[], axis: number, opts: ReduceOptions = {}): ReduceResult {
  const name = `reduce(${op})`;
  checkShape(shape, name, 'x');
  const ax = normalizeAxis(axis, shape.length, name);
  const [outer, len, inner] = view(shape, ax);
  check(len > 0, name, `cannot take ${op} over an empty axis of ${fmtShape(shape)}`);
  checkHolds(x, numel(shape), name, 'x');
  const offset = opts.outOffset ?? 0;
  const out = opts.out ?? gpu.alloc((offset + outer * inner) * 4, `${op} out`);
  checkHolds(out, offset + outer * inner, name, 'out');
  check(out !== x, name, 'out must not alias x');
  dispatchReduce(gpu, op, COMBINES[op], true, x, [outer, len, inner], out, offset, 1);
  return { out, shape: reducedShape(shape, ax, opts.keepdim ?? false) };
}

/**
 * Sums x (shape `shape`) over the dimensions along which `target` was broadcast to `shape`
 * (missing leading dims and size-1 dims), giving a tensor of shape `target`: the gradient of
 * a broadcasting op with respect to its smaller operand. Consecutive reduced dimensions are
 * summed in one pass; every call returns a fresh buffer (or `out`), even when nothing is summed.
 */
export function sumToShape(gpu: Gpu, x: GpuBuffer, shape: readonly number[], target: readonly number[], opts: { out?: GpuBuffer } = {}): GpuBuffer {
  const name = 'sum_to_shape';
  checkShape(shape, name, 'x');
  checkShape(target, name, 'target');
  check(
    target.length <= shape.length && sameShape(broadcastShapes(target, shape, name), shape),
    name,
    () => `${fmtShape(target)} does not broadcast to ${fmtShape(shape)}`,
  );
  checkHolds(x, numel(shape), name, 'x');
  const n = numel(target);
  const out = opts.out ?? gpu.alloc(n * 4, 'sum_to_shape out');
  checkHolds(out, n, name, 'out');
  // Segments of consecutive dims that are all summed or all kept (size-1 dims are neither).
  const padded = [...new Array<number>(shape.length - target.length).fill(1), ...target];
  const segs: { size: number; sum: boolean }[] = [];
  shape.forEach((d, k) => {
    if (d === 1) return;
    const sum = padded[k] === 1;
    const last = segs[segs.length - 1];
    if (last && last.sum === sum) last.size *= d;
    else segs.push({ size: d, sum });
  });
  if (!segs.some((s) => s.sum)) {
    gpu.copy(x, out, n * 4); // only size-1 dims differ: same elements
    return out;
  }
  let cur = x;
  // Innermost summed segment first; each pass removes one segment.
  for (let r = segs.length - 1; r >= 0; r--) {
    if (!segs[r].sum) continue;
    const outer = numel(segs.slice(0, r).map((s) => s.size));
    const inner = numel(segs.slice(r + 1).map((s) => s.size));
    const axis = segs[r].size;
    segs.splice(r, 1);
    const last = !segs.some((s) => s.sum);
    const next = reduceAxis(gpu, 'sum', cur, outer, axis, inner, last ? { out } : {});
    if (cur !== x) cur.release();
    cur = next;
  }
  return out;
}

/** Sum of squares of `n` values of x, written as one f32 at out[outOffset] (fresh buffer of 1 by default). */
export function sumSquares(gpu: Gpu, x: GpuBuffer, n: number, opts: { out?: GpuBuffer; outOffset?: number } = {}): GpuBuffer {
  return reduceAxis(gpu, 'sumsq', x, 1, n, 1, opts);
}
