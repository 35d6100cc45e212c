import type { Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { check } from '../../runtime/errors.ts';
import { checkShape, fmtShape, normalizeAxis, numel } from '../shape.ts';
import { slice, sliceScatter } from '../slice/slice.ts';

// concat has no kernel of its own: each input is one scatter of slice.wgsl into its box of the
// output (the boxes tile the output exactly, so nothing needs clearing), and its backward is
// one slice per input.

export interface ConcatResult {
  out: GpuBuffer;
  shape: number[];
}

function concatShape(name: string, shapes: readonly (readonly number[])[], axis: number): { ax: number; shape: number[] } {
  check(shapes.length > 0, name, 'needs at least one input');
  const rank = shapes[0].length;
  const ax = normalizeAxis(axis, rank, name);
  for (const s of shapes) {
    checkShape(s, name, 'input');
    check(
      s.length === rank && s.every((d, k) => k === ax || d === shapes[0][k]),
      name,
      () => `${fmtShape(s)} does not match ${fmtShape(shapes[0])} outside axis ${ax}`,
    );
  }
  const shape = [...shapes[0]];
  shape[ax] = shapes.reduce((acc, s) => acc + s[ax], 0);
  return { ax, shape };
}

/** Concatenates xs[i] (shape shapes[i]) along `axis` (negative counts from the end). */
export function concat(gpu: Gpu, xs: readonly GpuBuffer[], shapes: readonly (readonly number[])[], axis: number, opts: { out?: GpuBuffer } = {}): ConcatResult {
  const name = 'concat';
  check(xs.length === shapes.length, name, `${xs.length} buffers but ${shapes.length} shapes`);
  const { ax, shape } = concatShape(name, shapes, axis);
  const out = opts.out ?? gpu.alloc(numel(shape) * 4, 'concat out');
  let offset = 0;
  xs.forEach((x, i) => {
    const starts = shape.map((_, k) => (k === ax ? offset : 0));
    sliceScatter(gpu, x, shapes[i], out, shape, starts);
    offset += shapes[i][ax];
  });
  return { out, shape };
}

/** Gradient of concat: dy (the concatenated shape) split back into one fresh buffer per input. */
export function concatBackward(gpu: Gpu, dy: GpuBuffer, shapes: readonly (readonly number[])[], axis: number): GpuBuffer[] {
  const { ax, shape } = concatShape('concat_backward', shapes, axis);
  let offset = 0;
  return shapes.map((s) => {
    const starts = shape.map((_, k) => (k === ax ? offset : 0));
    const ends = s.map((d, k) => starts[k] + d);
    offset += s[ax];
    return slice(gpu, dy, shape, starts, ends).out;
  });
}
