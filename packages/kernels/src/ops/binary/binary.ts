import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import {
  MAX_DIMS, broadcastShapes, broadcastStrides, checkHolds, checkShape, collapseDims, dimParams, fmtShape, numel,
} from '../shape.ts';

const wgsl = './binary.wgsl';
const kernel = kernelFromFile('binary', 'ops/binary/', wgsl);
const kernelInPlace = kernelFromFile('binary_inplace', 'ops/binary/', wgsl, 'main_inplace');
const kernelScalar = kernelFromFile('binary_scalar', 'ops/binary/', wgsl, 'main_scalar');
const kernelScalarInPlace = kernelFromFile('binary_scalar_inplace', 'ops/binary/', wgsl, 'main_scalar_inplace');

export const BINARY_OPS = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  pow: 4,
  maximum: 5,
  minimum: 6,
  eq: 7,
  ne: 8,
  lt: 9,
  le: 10,
  gt: 11,
  ge: 12,
} as const;
/** Arithmetic ops, and comparisons that write 1.0 / 0.0. maximum/minimum with NaN: unspecified. */
export type BinaryOp = keyof typeof BINARY_OPS;

export interface BinaryResult {
  out: GpuBuffer;
  shape: number[];
}

/** How the kernel forms operand indices for one broadcast (`mode` of binary.wgsl). */
interface BroadcastPlan {
  shape: number[];
  n: number;
  mode: 0 | 1 | 2 | 3 | 4 | 5;
  /** modulus / divisor of modes 1-4 */
  m: number;
  sizes: number[];
  stridesA: number[];
  stridesB: number[];
}

const MODE_NAMES = ['same', 'b%m', 'a%m', 'b/m', 'a/m', 'strided'];

function plan(aShape: readonly number[], bShape: readonly number[]): BroadcastPlan {
  const shape = broadcastShapes(aShape, bShape, 'binary');
  const n = numel(shape);
  const { sizes, strides } = collapseDims(shape, [broadcastStrides(aShape, shape), broadcastStrides(bShape, shape)]);
  const [sa, sb] = strides;
  const base = { shape, n, m: 1, sizes, stridesA: sa, stridesB: sb };
  const aFull = numel(aShape) === n;
  const bFull = numel(bShape) === n;
  if (aFull && bFull) return { ...base, mode: 0 };
  // One operand covers the output contiguously; the other is a scalar, repeats along the
  // outer dimension (rows) or along the inner one (columns): no per-element index loop.
  if (aFull !== bFull) {
    const other = aFull ? sb : sa;
    const repeat = aFull ? 1 : 2;
    if (sizes.length === 1) return { ...base, mode: repeat, m: 1 };
    if (sizes.length === 2 && other[0] === 0 && other[1] === 1) return { ...base, mode: repeat, m: sizes[1] };
    if (sizes.length === 2 && other[0] === 1 && other[1] === 0) return { ...base, mode: aFull ? 3 : 4, m: sizes[1] };
  }
  return { ...base, mode: 5 };
}

/**
 * out = op(a, b) with NumPy/PyTorch broadcasting of aShape against bShape (any ranks whose
 * broadcast collapses to at most 6 dimensions). Returns the output and its shape. `out` may
 * be `a` itself (in place) when a already has the broadcast shape, e.g. grad += dy.
 */
export function binary(
  gpu: Gpu,
  op: BinaryOp,
  a: GpuBuffer,
  aShape: readonly number[],
  b: GpuBuffer,
  bShape: readonly number[],
  opts: { out?: GpuBuffer } = {},
): BinaryResult {
  const name = `binary(${op})`;
  checkShape(aShape, name, 'a');
  checkShape(bShape, name, 'b');
  checkHolds(a, numel(aShape), name, 'a');
  checkHolds(b, numel(bShape), name, 'b');
  const pl = plan(aShape, bShape);
  check(pl.sizes.length <= MAX_DIMS, name, () => `${fmtShape(aShape)} x ${fmtShape(bShape)} collapses to ${pl.sizes.length} > ${MAX_DIMS} dims`);
  const out = opts.out ?? gpu.alloc(pl.n * 4, `${op} out`);
  checkHolds(out, pl.n, name, 'out');
  check(out !== b || b === a, name, 'out may alias a but not b (swap the operands or use a fresh output)');
  const inPlace = out === a;
  check(!inPlace || numel(aShape) === pl.n, name, () => `in place needs a to have the broadcast shape ${fmtShape(pl.shape)}, a is ${fmtShape(aShape)}`);
  // op(x, x): WebGPU allows one buffer in two read-only bindings but the runtime rejects any
  // repeated binding, so b is read from a copy (released right after, in program order).
  const bRead = b === a ? gpu.alloc(b.byteLength, `${b.label} copy`) : b;
  if (bRead !== b) gpu.copy(b, bRead);
  const rank = Math.max(pl.sizes.length, 1);
  gpu.dispatch(inPlace ? kernelInPlace : kernel, {
    overrides: { OP: BINARY_OPS[op] },
    params: packParams([u(pl.n), u(pl.m), f(0), u(pl.mode), u(rank), ...dimParams(pl.sizes, 1), ...dimParams(pl.stridesA), ...dimParams(pl.stridesB)]),
    buffers: inPlace ? [a, bRead] : [a, bRead, out],
    workgroups: grid(Math.ceil(pl.n / 256)),
    label: `${op} ${fmtShape(aShape)} ${fmtShape(bShape)} ${MODE_NAMES[pl.mode]}${inPlace ? ' inplace' : ''}`,
  });
  if (bRead !== b) bRead.release();
  return { out, shape: pl.shape };
}

/**
 * out[i] = op(x[i], c) over `n` values, or op(c, x[i]) with `reverse` (c - x, c / x, c ** x).
 * `out` may be x (in place).
 */
export function binaryScalar(
  gpu: Gpu,
  op: BinaryOp,
  x: GpuBuffer,
  n: number,
  c: number,
  opts: { reverse?: boolean; out?: GpuBuffer } = {},
): GpuBuffer {
  const name = `binary_scalar(${op})`;
  check(Number.isInteger(n) && n >= 0, name, `bad length ${n}`);
  checkHolds(x, n, name, 'x');
  const out = opts.out ?? gpu.alloc(n * 4, `${op} out`);
  checkHolds(out, n, name, 'out');
  const inPlace = out === x;
  gpu.dispatch(inPlace ? kernelScalarInPlace : kernelScalar, {
    overrides: { OP: BINARY_OPS[op], REVERSE: opts.reverse ? 1 : 0 }, // bool override: Dawn takes 0 / 1
    params: packParams([u(n), u(1), f(c), u(0), u(1), ...dimParams([], 1), ...dimParams([]), ...dimParams([])]), // full Params struct
    buffers: inPlace ? [x] : [x, out],
    workgroups: grid(Math.ceil(n / 256)),
    label: `${op} n=${n} ${opts.reverse ? `${c} op x` : `x op ${c}`}`,
  });
  return out;
}
