import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { packParams, u } from '../../runtime/params.ts';
import { checkHolds } from '../shape.ts';
import { rowKernel, rowsAndCols, rowWorkgroupSize } from '../layernorm/rows.ts';
import { checkDistinct, outputBuffer } from '../batchnorm/buffers.ts';

const forwardKernel = rowKernel('softmax', 'ops/softmax/', './softmax.wgsl');
const backwardKernel = rowKernel('softmax_backward', 'ops/softmax/', './softmax_backward.wgsl');

export interface SoftmaxOptions {
  /** log-softmax instead of softmax. */
  log?: boolean;
  out?: GpuBuffer;
}

/**
 * Softmax (or log-softmax) over the last axis of x, numerically stable. -inf entries get
 * probability 0; a row of only -inf gives zeros (log: -inf) instead of PyTorch's NaN.
 */
export function softmax(gpu: Gpu, x: GpuBuffer, shape: readonly number[], opts: SoftmaxOptions = {}): GpuBuffer {
  const kernel = opts.log ? 'log_softmax' : 'softmax';
  const { rows, cols } = rowsAndCols(kernel, shape);
  checkHolds(x, rows * cols, kernel, 'x');
  checkDistinct(kernel, { x, out: opts.out });
  const y = outputBuffer(gpu, kernel, opts.out, rows * cols, `${kernel} out`);
  const wg = rowWorkgroupSize(rows, cols);
  gpu.dispatch(forwardKernel, {
    overrides: { WG: wg, LOG: opts.log ? 1 : 0 },
    params: packParams([u(rows), u(cols)]),
    buffers: [x, y],
    workgroups: grid(cols === 0 ? 0 : rows),
    label: `${rows}x${cols} wg${wg}`,
  });
  return y;
}

/**
 * dx of softmax from its output y and dy: y * (dy - sum(dy * y)); with `log`, of log-softmax
 * from its output: dy - exp(y) * sum(dy).
 */
export function softmaxBackward(gpu: Gpu, y: GpuBuffer, dy: GpuBuffer, shape: readonly number[], opts: SoftmaxOptions = {}): GpuBuffer {
  const kernel = opts.log ? 'log_softmax_backward' : 'softmax_backward';
  const { rows, cols } = rowsAndCols(kernel, shape);
  checkHolds(y, rows * cols, kernel, 'y');
  checkHolds(dy, rows * cols, kernel, 'dy');
  checkDistinct(kernel, { y, dy, out: opts.out });
  const dx = outputBuffer(gpu, kernel, opts.out, rows * cols, `${kernel} dx`);
  const wg = rowWorkgroupSize(rows, cols);
  gpu.dispatch(backwardKernel, {
    overrides: { WG: wg, LOG: opts.log ? 1 : 0 },
    params: packParams([u(rows), u(cols)]),
    buffers: [y, dy, dx],
    workgroups: grid(cols === 0 ? 0 : rows),
    label: `${rows}x${cols} wg${wg}`,
  });
  return dx;
}
