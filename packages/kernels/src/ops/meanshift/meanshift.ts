import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const stepKernel = kernelFromFile('meanshift_step', import.meta.url, './meanshift.wgsl', 'step');
const countKernel = kernelFromFile('meanshift_count', import.meta.url, './meanshift.wgsl', 'count');

/** The neighbour bit set lives in workgroup memory: 256 words. */
export const MEANSHIFT_MAX_POINTS = 8192;

export interface MeanShiftShape {
  /** points */
  m: number;
  /** coordinates per point */
  d: number;
}

/** The state the kernels update in place: current points and their dot products with the originals. */
export interface MeanShiftState {
  /** |x_j|^2 of the original points [m] */
  xn: GpuBuffer;
  /** current points [m, d], starting as the originals */
  pts: GpuBuffer;
  /** current . original dot products [m, m], starting as X X^T */
  q: GpuBuffer;
}

function checkState(name: string, s: MeanShiftShape, st: MeanShiftState): void {
  check(Number.isInteger(s.m) && s.m >= 2 && s.m <= MEANSHIFT_MAX_POINTS && Number.isInteger(s.d) && s.d >= 1, name, `bad shape m=${s.m} d=${s.d} (2 <= m <= ${MEANSHIFT_MAX_POINTS})`);
  checkHolds(st.xn, s.m, name, 'xn');
  checkHolds(st.pts, s.m * s.d, name, 'pts');
  checkHolds(st.q, s.m * s.m, name, 'q');
}

/**
 * `iterations` rounds of the official sequential flat-kernel mean shift (radius sqrt(r2)),
 * in place on state.pts and state.q: one dispatch per point, in order.
 */
export function meanShiftSequential(gpu: Gpu, state: MeanShiftState, shape: MeanShiftShape, r2: number, iterations: number): void {
  const name = 'meanshift_step';
  checkState(name, shape, state);
  check(Number.isInteger(iterations) && iterations >= 0, name, `bad iteration count ${iterations}`);
  const { m, d } = shape;
  const stage = gpu.alloc((d + m) * 4, 'meanshift stage');
  const groups = Math.ceil((d + m) / 256);
  let prev = -1;
  const record = (point: number, active: boolean): void => {
    gpu.dispatch(stepKernel, {
      params: packParams([u(m), u(d), u(Math.max(point, 0)), u(Math.max(prev, 0)), u(prev >= 0 ? 1 : 0), u(active ? 1 : 0), f(r2)]),
      buffers: [state.xn, state.pts, state.q, stage],
      workgroups: [groups, 1, 1],
      label: `m=${m} d=${d} point ${point}`,
    });
  };
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < m; i++) {
      record(i, true);
      prev = i;
    }
  }
  if (prev >= 0) record(-1, false);
  stage.release();
}

/** counts[i] (u32) = how many original points lie within sqrt(r2) of current point i. */
export function meanShiftCounts(gpu: Gpu, state: MeanShiftState, shape: MeanShiftShape, r2: number, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  const name = 'meanshift_count';
  checkState(name, shape, state);
  const out = opts.out ?? gpu.alloc(shape.m * 4, 'meanshift counts');
  checkHolds(out, shape.m, name, 'out');
  gpu.dispatch(countKernel, {
    params: packParams([u(shape.m), u(shape.d), u(0), u(0), u(0), u(0), f(r2)]),
    buffers: [state.xn, state.pts, state.q, out],
    workgroups: grid(Math.ceil(shape.m / 256)),
    label: `m=${shape.m} d=${shape.d}`,
  });
  return out;
}
