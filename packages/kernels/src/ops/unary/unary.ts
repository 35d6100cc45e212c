import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelWithActivations } from '../common/activation.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';

const kernel = kernelWithActivations('unary', 'ops/unary/', './unary.wgsl');
const kernelInPlace = kernelWithActivations('unary_inplace', 'ops/unary/', './unary.wgsl', 'main_inplace');

export const UNARY_OPS = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  relu: 4,
  gelu: 5,
  gelu_tanh: 6,
  tanh: 7,
  sigmoid: 8,
  clamp: 9,
  affine: 10,
  reciprocal: 11,
  square: 12,
  abs: 13,
} as const;
export type UnaryOp = keyof typeof UNARY_OPS;

/**
 * y = op(x) element-wise over `n` f32 values. `a`, `b` are the scalar arguments of clamp
 * (min, max) and affine (scale, shift). Writes into `out` when given (may alias x).
 */
export function unary(gpu: Gpu, op: UnaryOp, x: GpuBuffer, n: number, args: { a?: number; b?: number; out?: GpuBuffer } = {}): GpuBuffer {
  check(Number.isInteger(n) && n >= 0, 'unary', `bad length ${n}`);
  check(x.length >= n, 'unary', `input '${x.label}' holds ${x.length} < ${n} elements`);
  const y = args.out ?? gpu.alloc(n * 4, `${op} out`);
  check(y.length >= n, 'unary', `output holds ${y.length} < ${n} elements`);
  const inPlace = y === x;
  gpu.dispatch(inPlace ? kernelInPlace : kernel, {
    overrides: { OP: UNARY_OPS[op] },
    params: packParams([u(n), f(args.a ?? 0), f(args.b ?? 0)]),
    buffers: inPlace ? [x] : [x, y],
    workgroups: grid(Math.ceil(n / 256)),
    label: `${op} n=${n}`,
  });
  return y;
}
