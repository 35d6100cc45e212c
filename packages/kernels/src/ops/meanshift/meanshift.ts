import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const seqKernel = kernelFromFile('meanshift_seq', import.meta.url, './meanshift.wgsl', 'seq');
const countKernel = kernelFromFile('meanshift_count', import.meta.url, './meanshift.wgsl', 'count');

/** Points per dispatch of the sequential pass: keeps each dispatch short (no GPU watchdog) at a few hundred dispatches per image. */
const POINTS_PER_DISPATCH = 64;

export interface MeanShiftShape {
  /** points */
  m: number;
  /** coordinates per point */
  d: number;
}

function checkShape(name: string, s: MeanShiftShape, xt: GpuBuffer, pts: GpuBuffer): void {
  check(Number.isInteger(s.m) && s.m >= 1 && Number.isInteger(s.d) && s.d >= 1, name, `bad shape m=${s.m} d=${s.d}`);
  checkHolds(xt, s.m * s.d, name, 'xt');
  checkHolds(pts, s.m * s.d, name, 'pts');
}

/**
 * `iterations` rounds of the official sequential flat-kernel mean shift, in place on `pts`
 * ([m, d], starting as a copy of the originals): each point in turn moves to the mean of the
 * current points whose originals (`xt`, [d, m]) lie within sqrt(r2) of it.
 */
export function meanShiftSequential(gpu: Gpu, xt: GpuBuffer, pts: GpuBuffer, shape: MeanShiftShape, r2: number, iterations: number): void {
  const name = 'meanshift_seq';
  checkShape(name, shape, xt, pts);
  check(Number.isInteger(iterations) && iterations >= 0, name, `bad iteration count ${iterations}`);
  check(xt !== pts, name, 'pts must not alias xt');
  const flags = gpu.alloc(shape.m * 4, 'meanshift flags');
  for (let it = 0; it < iterations; it++) {
    for (let start = 0; start < shape.m; start += POINTS_PER_DISPATCH) {
      const end = Math.min(shape.m, start + POINTS_PER_DISPATCH);
      gpu.dispatch(seqKernel, {
        params: packParams([u(shape.m), u(shape.d), u(start), u(end), f(r2)]),
        buffers: [xt, pts, flags],
        workgroups: [1, 1, 1],
        label: `m=${shape.m} d=${shape.d} iter ${it} points ${start}..${end - 1}`,
      });
    }
  }
  flags.release();
}

/** counts[i] (u32) = how many original points (xt, [d, m]) lie within sqrt(r2) of point i of `pts` ([m, d]). */
export function meanShiftCounts(gpu: Gpu, xt: GpuBuffer, pts: GpuBuffer, shape: MeanShiftShape, r2: number, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  const name = 'meanshift_count';
  checkShape(name, shape, xt, pts);
  const out = opts.out ?? gpu.alloc(shape.m * 4, 'meanshift counts');
  checkHolds(out, shape.m, name, 'out');
  gpu.dispatch(countKernel, {
    params: packParams([u(shape.m), u(shape.d), u(0), u(shape.m), f(r2)]),
    buffers: [xt, pts, out],
    workgroups: grid(shape.m),
    label: `m=${shape.m} d=${shape.d}`,
  });
  return out;
}
