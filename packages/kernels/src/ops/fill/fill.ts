import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const kernel = kernelFromFile('fill', 'ops/fill/', './fill.wgsl');
const kernelU32 = kernelFromFile('fill_u32', 'ops/fill/', './fill.wgsl', 'main_u32');

export type FillDtype = 'f32' | 'u32';

export interface RampOptions {
  start?: number;
  step?: number;
  dtype?: FillDtype;
  out?: GpuBuffer;
}

/**
 * out[i] = start + step * i for i < n (f32: computed in f32, exact for integers below 2^24;
 * u32: integers with wrapping arithmetic, start/step in [0, 2^32)).
 */
export function ramp(gpu: Gpu, n: number, opts: RampOptions = {}): GpuBuffer {
  const dtype = opts.dtype ?? 'f32';
  const name = `fill(${dtype})`;
  const start = opts.start ?? 0;
  const step = opts.step ?? 0;
  check(Number.isInteger(n) && n >= 0, name, `bad length ${n}`);
  if (dtype === 'u32') {
    check([start, step].every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff), name, `start ${start} / step ${step} are not u32`);
  }
  const out = opts.out ?? gpu.alloc(n * 4, `${dtype} fill`);
  checkHolds(out, n, name, 'out');
  gpu.dispatch(dtype === 'u32' ? kernelU32 : kernel, {
    params: packParams(dtype === 'u32' ? [u(n), f(0), f(0), u(start), u(step)] : [u(n), f(start), f(step), u(0), u(0)]),
    buffers: [out],
    workgroups: grid(Math.ceil(n / 256)),
    label: `n=${n} ${start}+${step}i`,
  });
  return out;
}

/** n copies of `value` (f32, or u32 with dtype 'u32'). */
export function fill(gpu: Gpu, n: number, value: number, opts: { dtype?: FillDtype; out?: GpuBuffer } = {}): GpuBuffer {
  return ramp(gpu, n, { start: value, step: 0, ...opts });
}

/** arange: start, start + step, ... (n values); u32 index ramps with dtype 'u32'. */
export function arange(gpu: Gpu, n: number, opts: { start?: number; step?: number; dtype?: FillDtype; out?: GpuBuffer } = {}): GpuBuffer {
  return ramp(gpu, n, { start: opts.start ?? 0, step: opts.step ?? 1, dtype: opts.dtype, out: opts.out });
}
