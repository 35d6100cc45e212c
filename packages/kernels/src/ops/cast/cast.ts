import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const kernel = kernelFromFile('cast', 'ops/cast/', './cast.wgsl');

const DTYPES = { f32: 0, u32: 1, i32: 2 } as const;
export type Dtype = keyof typeof DTYPES;

/**
 * y = x converted from `from` to `to` over n elements (see cast.wgsl for the rules: f32 -> int
 * truncates and saturates, u32 <-> i32 reinterprets). Always a fresh buffer (or `out`).
 */
export function cast(gpu: Gpu, x: GpuBuffer, n: number, from: Dtype, to: Dtype, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  const name = `cast(${from}->${to})`;
  check(Number.isInteger(n) && n >= 0, name, `bad length ${n}`);
  checkHolds(x, n, name, 'x');
  const y = opts.out ?? gpu.alloc(n * 4, `${to} cast`);
  checkHolds(y, n, name, 'out');
  check(y !== x, name, 'out must not alias x');
  if (from === to || (from !== 'f32' && to !== 'f32')) {
    gpu.copy(x, y, n * 4); // the bits do not change
    return y;
  }
  gpu.dispatch(kernel, {
    overrides: { FROM: DTYPES[from], TO: DTYPES[to] },
    params: packParams([u(n)]),
    buffers: [x, y],
    workgroups: grid(Math.ceil(n / 256)),
    label: `n=${n}`,
  });
  return y;
}
