import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile, type Kernel } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds, checkShape, fmtShape } from '../shape.ts';
import { checkDistinct, outputBuffer } from '../batchnorm/buffers.ts';

// The 2-D pool kernels share their Params and index helpers (pool2d_common.wgsl), prepended
// to each source since WGSL has no includes.
const pool2dKernel = (name: string, file: string): Kernel => kernelFromFile(name, 'ops/pool/', ['./pool2d_common.wgsl', file]);

const maxKernel = pool2dKernel('maxpool2d', './maxpool2d.wgsl');
const maxBackwardKernel = pool2dKernel('maxpool2d_backward', './maxpool2d_backward.wgsl');
const avgKernel = pool2dKernel('avgpool2d', './avgpool2d.wgsl');
const avgBackwardKernel = pool2dKernel('avgpool2d_backward', './avgpool2d_backward.wgsl');
const globalKernel = kernelFromFile('global_avgpool', 'ops/pool/', './global_avgpool.wgsl');
const globalBackwardKernel = kernelFromFile('global_avgpool_backward', 'ops/pool/', './global_avgpool_backward.wgsl');

/** An NHWC activation shape [N, H, W, C]. */
export type Nhwc = readonly [number, number, number, number];

/** Window of a 2-D pool. Scalars apply to both axes; `stride` defaults to `kernel` (PyTorch). */
export interface Pool2dOptions {
  kernel: number | readonly [number, number];
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
}

/** Resolved pool geometry: input [n, h, w, c], window, and output [n, oh, ow, c]. */
export interface Pool2dGeometry {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
}

const pair = (v: number | readonly [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

function checkNhwc(kernel: string, shape: Nhwc): void {
  check(shape.length === 4, kernel, () => `input shape must be [N,H,W,C], got ${fmtShape(shape)}`);
  checkShape(shape, kernel, 'input');
}

/**
 * Output geometry of a 2-D pool (floor mode, no dilation), validated the way PyTorch does:
 * kernel and stride >= 1, padding <= kernel/2 (so every window holds a real element), and a
 * non-empty output.
 */
export function pool2dGeometry(kernel: string, shape: Nhwc, opts: Pool2dOptions): Pool2dGeometry {
  checkNhwc(kernel, shape);
  const [n, h, w, c] = shape;
  const [kh, kw] = pair(opts.kernel);
  const [sh, sw] = pair(opts.stride ?? opts.kernel);
  const [ph, pw] = pair(opts.padding ?? 0);
  const ints = [kh, kw, sh, sw, ph, pw];
  check(ints.every((v) => Number.isInteger(v)), kernel, () => `kernel/stride/padding must be integers, got ${ints.join(',')}`);
  check(kh >= 1 && kw >= 1 && sh >= 1 && sw >= 1, kernel, `kernel ${kh}x${kw} and stride ${sh}x${sw} must be >= 1`);
  check(ph >= 0 && pw >= 0 && 2 * ph <= kh && 2 * pw <= kw, kernel, `padding ${ph}x${pw} must be at most half the kernel ${kh}x${kw}`);
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  check(oh >= 1 && ow >= 1, kernel, () => `input ${h}x${w} (padding ${ph}x${pw}) is smaller than the kernel ${kh}x${kw}`);
  return { n, h, w, c, kh, kw, sh, sw, ph, pw, oh, ow };
}

/** Records one 2-D pool kernel: one thread per element of the `total` it writes. */
function dispatchPool2d(gpu: Gpu, kernel: Kernel, g: Pool2dGeometry, total: number, buffers: GpuBuffer[], includePad = false): void {
  const geometry = [g.h, g.w, g.c, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, total, includePad ? 1 : 0];
  gpu.dispatch(kernel, {
    params: packParams(geometry.map(u)),
    buffers,
    workgroups: grid(Math.ceil(total / 256)),
    label: `${g.n}x${g.h}x${g.w}x${g.c} k${g.kh}x${g.kw} s${g.sh}x${g.sw} p${g.ph}x${g.pw} -> ${g.oh}x${g.ow}${includePad ? ' include-pad' : ''}`,
  });
}

export interface MaxPool2dResult {
  /** [N, OH, OW, C] f32 */
  y: GpuBuffer;
  /** [N, OH, OW, C] u32: flat input index of each maximum (for maxPool2dBackward) */
  indices: GpuBuffer;
  outShape: Nhwc;
}

/** Max pool over NHWC `x` (padding is -inf). Also returns the argmax indices for the backward. */
export function maxPool2d(
  gpu: Gpu,
  x: GpuBuffer,
  shape: Nhwc,
  opts: Pool2dOptions & { out?: GpuBuffer; indicesOut?: GpuBuffer },
): MaxPool2dResult {
  const g = pool2dGeometry('maxpool2d', shape, opts);
  const total = g.n * g.oh * g.ow * g.c;
  checkHolds(x, g.n * g.h * g.w * g.c, 'maxpool2d', 'input');
  checkDistinct('maxpool2d', { x, out: opts.out, indicesOut: opts.indicesOut });
  const y = outputBuffer(gpu, 'maxpool2d', opts.out, total, 'maxpool2d out');
  const indices = outputBuffer(gpu, 'maxpool2d', opts.indicesOut, total, 'maxpool2d indices');
  dispatchPool2d(gpu, maxKernel, g, total, [x, y, indices]);
  return { y, indices, outShape: [g.n, g.oh, g.ow, g.c] };
}

/**
 * dx [N,H,W,C] of maxPool2d from dy [N,OH,OW,C] and the forward's indices; `inShape` and
 * `opts` are the forward's. Each input element sums the dy of the windows whose argmax it is.
 */
export function maxPool2dBackward(
  gpu: Gpu,
  dy: GpuBuffer,
  indices: GpuBuffer,
  inShape: Nhwc,
  opts: Pool2dOptions & { out?: GpuBuffer },
): GpuBuffer {
  const g = pool2dGeometry('maxpool2d_backward', inShape, opts);
  const outCount = g.n * g.oh * g.ow * g.c;
  const total = g.n * g.h * g.w * g.c;
  checkHolds(dy, outCount, 'maxpool2d_backward', 'dy');
  checkHolds(indices, outCount, 'maxpool2d_backward', 'indices');
  checkDistinct('maxpool2d_backward', { dy, indices, out: opts.out });
  const dx = outputBuffer(gpu, 'maxpool2d_backward', opts.out, total, 'maxpool2d dx');
  dispatchPool2d(gpu, maxBackwardKernel, g, total, [dy, indices, dx]);
  return dx;
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /**
   * Whether zero padding counts in the divisor (PyTorch's count_include_pad, default true:
   * every window divides by KH*KW). With false, a border window divides by its in-bounds count.
   */
  countIncludePad?: boolean;
}

/** Average pool over NHWC `x`; returns y [N, OH, OW, C]. */
export function avgPool2d(gpu: Gpu, x: GpuBuffer, shape: Nhwc, opts: AvgPool2dOptions & { out?: GpuBuffer }): { y: GpuBuffer; outShape: Nhwc } {
  const g = pool2dGeometry('avgpool2d', shape, opts);
  const total = g.n * g.oh * g.ow * g.c;
  const includePad = opts.countIncludePad ?? true;
  checkHolds(x, g.n * g.h * g.w * g.c, 'avgpool2d', 'input');
  const y = outputBuffer(gpu, 'avgpool2d', opts.out, total, 'avgpool2d out');
  dispatchPool2d(gpu, avgKernel, g, total, [x, y], includePad);
  return { y, outShape: [g.n, g.oh, g.ow, g.c] };
}

/** dx [N,H,W,C] of avgPool2d from dy [N,OH,OW,C]; `inShape` and `opts` are the forward's. */
export function avgPool2dBackward(gpu: Gpu, dy: GpuBuffer, inShape: Nhwc, opts: AvgPool2dOptions & { out?: GpuBuffer }): GpuBuffer {
  const g = pool2dGeometry('avgpool2d_backward', inShape, opts);
  const total = g.n * g.h * g.w * g.c;
  const includePad = opts.countIncludePad ?? true;
  checkHolds(dy, g.n * g.oh * g.ow * g.c, 'avgpool2d_backward', 'dy');
  const dx = outputBuffer(gpu, 'avgpool2d_backward', opts.out, total, 'avgpool2d dx');
  dispatchPool2d(gpu, avgBackwardKernel, g, total, [dy, dx], includePad);
  return dx;
}

/** Global average pool: x [N,H,W,C] -> y [N,C] (ResNet's pool before fc). */
export function globalAvgPool(gpu: Gpu, x: GpuBuffer, shape: Nhwc, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  checkNhwc('global_avgpool', shape);
  const [n, h, w, c] = shape;
  check(h * w >= 1, 'global_avgpool', () => `empty spatial extent ${h}x${w}`);
  checkHolds(x, n * h * w * c, 'global_avgpool', 'input');
  const y = outputBuffer(gpu, 'global_avgpool', opts.out, n * c, 'global_avgpool out');
  gpu.dispatch(globalKernel, {
    params: packParams([u(h * w), u(c), u(n * c)]),
    buffers: [x, y],
    workgroups: grid(Math.ceil((n * c) / 256)),
    label: `${n}x${h}x${w}x${c}`,
  });
  return y;
}

/** dx [N,H,W,C] of globalAvgPool from dy [N,C]; `shape` is the forward's input shape. */
export function globalAvgPoolBackward(gpu: Gpu, dy: GpuBuffer, shape: Nhwc, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  checkNhwc('global_avgpool_backward', shape);
  const [n, h, w, c] = shape;
  check(h * w >= 1, 'global_avgpool_backward', () => `empty spatial extent ${h}x${w}`);
  checkHolds(dy, n * c, 'global_avgpool_backward', 'dy');
  const total = n * h * w * c;
  const dx = outputBuffer(gpu, 'global_avgpool_backward', opts.out, total, 'global_avgpool dx');
  gpu.dispatch(globalBackwardKernel, {
    params: packParams([u(h * w), u(c), u(total)]),
    buffers: [dy, dx],
    workgroups: grid(Math.ceil(total / 256)),
    label: `${n}x${h}x${w}x${c}`,
  });
  return dx;
}
