import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { unary, UNARY_OPS, type UnaryOp } from '../unary/unary.ts';

const kernel = kernelFromFile('unary_backward', 'ops/unary_backward/', './unary_backward.wgsl');
const kernelInPlace = kernelFromFile('unary_backward_inplace', 'ops/unary_backward/', './unary_backward.wgsl', 'main_inplace');

/**
 * Which tensor the backward of each unary op reads: its input 'x', its output 'y', or none.
 * An autograd saves exactly this one (y where the derivative is cheaper in y, as PyTorch does;
 * relu uses y because the next layer usually keeps the relu output alive anyway).
 */
export const UNARY_GRAD_SAVES = {
  neg: null,
  exp: 'y',
  log: 'x',
  sqrt: 'y',
  relu: 'y',
  gelu: 'x',
  gelu_tanh: 'x',
  tanh: 'y',
  sigmoid: 'y',
  clamp: 'x',
  affine: null,
  reciprocal: 'y',
  square: 'x',
  abs: 'x',
} as const satisfies Record<UnaryOp, 'x' | 'y' | null>;

export interface UnaryBackwardArgs {
  /** the forward input, for ops whose UNARY_GRAD_SAVES entry is 'x' */
  x?: GpuBuffer;
  /** the forward output, for ops whose UNARY_GRAD_SAVES entry is 'y' */
  y?: GpuBuffer;
  /** the forward op's scalar arguments: clamp (min, max), affine (scale, shift) */
  a?: number;
  b?: number;
  /** destination; may be `dy` itself (in place) but not the saved tensor */
  out?: GpuBuffer;
}

/**
 * dx = dy * op'(x) element-wise over `n` values, for the ops of `unary`. Pass the saved tensor
 * named by UNARY_GRAD_SAVES[op] as `x` or `y`. At kinks the subgradient follows PyTorch: relu'(0)
 * = 0, abs'(0) = 0, clamp passes the gradient where min <= x <= max (both ends included).
 */
export function unaryBackward(gpu: Gpu, op: UnaryOp, dy: GpuBuffer, n: number, args: UnaryBackwardArgs = {}): GpuBuffer {
  const name = `unary_backward(${op})`;
  check(Number.isInteger(n) && n >= 0, name, `bad length ${n}`);
  check(dy.length >= n, name, `dy '${dy.label}' holds ${dy.length} < ${n} elements`);
  const saves = UNARY_GRAD_SAVES[op];
  // Derivatives that are constants are the forward kernel applied to dy.
  if (op === 'neg') return unary(gpu, 'neg', dy, n, { out: args.out });
  if (op === 'affine') return unary(gpu, 'affine', dy, n, { a: args.a ?? 0, b: 0, out: args.out });
  const s = saves === 'x' ? args.x : args.y;
  check(s !== undefined, name, `needs the forward ${saves === 'x' ? 'input x' : 'output y'}`);
  check(s.length >= n, name, `saved '${s.label}' holds ${s.length} < ${n} elements`);
  const dx = args.out ?? gpu.alloc(n * 4, `${op} grad`);
  check(dx.length >= n, name, `output holds ${dx.length} < ${n} elements`);
  check(dx !== s, name, 'output may alias dy but not the saved tensor');
  const inPlace = dx === dy;
  gpu.dispatch(inPlace ? kernelInPlace : kernel, {
    overrides: { OP: UNARY_OPS[op] },
    params: packParams([u(n), f(args.a ?? 0), f(args.b ?? 0)]),
    buffers: inPlace ? [dy, s] : [dy, s, dx],
    workgroups: grid(Math.ceil(n / 256)),
    label: `${op}' n=${n}`,
  });
  return dx;
}
