import type { Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const kernel = kernelFromFile('transpose', 'ops/transpose/', './transpose.wgsl');
const TILE = 16;
const MAX_GROUPS = 65535;

/** Whether the tiled kernel can take [batch, rows, cols] (grid limits); permute falls back otherwise. */
export function transposeFits(batch: number, rows: number, cols: number): boolean {
  return batch <= MAX_GROUPS && Math.ceil(rows / TILE) <= MAX_GROUPS && Math.ceil(cols / TILE) <= MAX_GROUPS;
}

/** out[b, c, r] = x[b, r, c]: batched 2-D transpose of [batch, rows, cols] into [batch, cols, rows]. */
export function transpose(gpu: Gpu, x: GpuBuffer, batch: number, rows: number, cols: number, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  const name = 'transpose';
  check([batch, rows, cols].every((d) => Number.isInteger(d) && d >= 0), name, `bad shape [${batch},${rows},${cols}]`);
  check(transposeFits(batch, rows, cols), name, `[${batch},${rows},${cols}] exceeds the grid limits (use permute)`);
  const n = batch * rows * cols;
  checkHolds(x, n, name, 'x');
  const out = opts.out ?? gpu.alloc(n * 4, 'transpose out');
  checkHolds(out, n, name, 'out');
  check(out !== x, name, 'out must not alias x');
  gpu.dispatch(kernel, {
    params: packParams([u(rows), u(cols)]),
    buffers: [x, out],
    workgroups: [Math.ceil(cols / TILE), Math.ceil(rows / TILE), batch],
    label: `[${batch},${rows},${cols}]`,
  });
  return out;
}
