import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const neighboursKernel = kernelFromFile('meanshift_neighbours', 'ops/meanshift/', './meanshift.wgsl', 'neighbours');
const sweepKernel = kernelFromFile('meanshift_sweep', 'ops/meanshift/', './meanshift.wgsl', 'sweep');
const sweepVec4Kernel = kernelFromFile('meanshift_sweep_vec4', 'ops/meanshift/', './meanshift.wgsl', 'sweep_vec4');

export interface MeanShiftShape {
  /** points */
  m: number;
  /** coordinates per point */
  d: number;
}

function checkShape(name: string, s: MeanShiftShape): void {
  check(Number.isInteger(s.m) && s.m >= 1 && Number.isInteger(s.d) && s.d >= 1, name, `bad shape m=${s.m} d=${s.d}`);
}

/**
 * Neighbour lists of the current points: counts[i] and nbr[i, 0 .. counts[i]) = the original
 * points j with |p_i - x_j|^2 <= r2, from q = P X^T ([m, m]), |p_i|^2 (from pts [m, d]) and
 * xn = |x_j|^2 ([m]). nbr is [m, m] u32, counts [m] u32.
 */
export function meanShiftNeighbours(gpu: Gpu, xn: GpuBuffer, pts: GpuBuffer, q: GpuBuffer, shape: MeanShiftShape, r2: number, out: { nbr: GpuBuffer; counts: GpuBuffer }): void {
  const name = 'meanshift_neighbours';
  checkShape(name, shape);
  const { m, d } = shape;
  checkHolds(xn, m, name, 'xn');
  checkHolds(pts, m * d, name, 'pts');
  checkHolds(q, m * m, name, 'q');
  checkHolds(out.nbr, m * m, name, 'nbr');
  checkHolds(out.counts, m, name, 'counts');
  gpu.dispatch(neighboursKernel, {
    params: packParams([u(m), u(d), f(r2)]),
    buffers: [xn, pts, q, out.nbr, out.counts],
    workgroups: grid(Math.ceil(m / 64)),
    label: `m=${m} d=${d}`,
  });
}

/**
 * One sweep of the official in-place update over the neighbour lists: one thread per
 * coordinate, or per 4 coordinates when d is a multiple of 4 (same sums per lane, so the same
 * result up to the order of the vector adds, which is the scalar order per component).
 */
export function meanShiftSweep(gpu: Gpu, nbr: GpuBuffer, counts: GpuBuffer, pts: GpuBuffer, shape: MeanShiftShape, opts: { vec4?: boolean } = {}): void {
  const name = 'meanshift_sweep';
  checkShape(name, shape);
  const { m, d } = shape;
  checkHolds(nbr, m * m, name, 'nbr');
  checkHolds(counts, m, name, 'counts');
  checkHolds(pts, m * d, name, 'pts');
  check(Math.ceil(d / 64) <= 65535, name, `${d} coordinates exceed one grid row`);
  const vec4 = (opts.vec4 ?? true) && d % 4 === 0;
  gpu.dispatch(vec4 ? sweepVec4Kernel : sweepKernel, {
    params: packParams([u(m), u(d), f(0)]),
    buffers: [nbr, counts, pts],
    workgroups: [Math.ceil((vec4 ? d / 4 : d) / 64), 1, 1],
    label: `m=${m} d=${d}${vec4 ? ' vec4' : ''}`,
  });
}
