import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const sumKernel = kernelFromFile('boxvote', 'ops/boxvote/', './boxvote.wgsl', 'main');
const normKernel = kernelFromFile('boxvote_normalize', 'ops/boxvote/', './boxvote.wgsl', 'normalize');

function params(f: Partial<Record<'outer' | 'len' | 'inner' | 'spread' | 'ch' | 'total', number>> & { n?: number[]; l?: number[] }): ArrayBuffer {
  const n = f.n ?? [1, 1, 1, 1];
  const l = f.l ?? [1, 1, 1, 1];
  return packParams([f.outer ?? 0, f.len ?? 0, f.inner ?? 0, f.spread ?? 1, ...n, ...l, f.ch ?? 1, f.total ?? 0].map((v) => u(v)));
}

/**
 * One axis of overlapping-patch voting: x viewed as [outer, len, inner] becomes
 * [outer, len + spread - 1, inner], cell c summing the patches k with k <= c < k + spread.
 */
export function boxVote(gpu: Gpu, x: GpuBuffer, outer: number, len: number, inner: number, spread: number, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  const name = 'boxvote';
  check([outer, len, inner, spread].every((v) => Number.isInteger(v) && v >= 1), name, `bad shape [${outer},${len},${inner}] spread ${spread}`);
  checkHolds(x, outer * len * inner, name, 'x');
  const n = outer * (len + spread - 1) * inner;
  const out = opts.out ?? gpu.alloc(n * 4, 'boxvote out');
  checkHolds(out, n, name, 'out');
  check(out !== x, name, 'out must not alias x');
  gpu.dispatch(sumKernel, {
    params: params({ outer, len, inner, spread }),
    buffers: [x, out],
    workgroups: grid(Math.ceil(n / 256)),
    label: `[${outer},${len},${inner}] s=${spread}`,
  });
  return out;
}

/**
 * Divides voted sums by their vote counts (+ 1e-4, the official initial count): x is
 * [cells_0, ..., cells_{k-1}, channels] for k <= 4 voting axes, `lens` the patch counts along
 * them (cells_a = lens_a + spread - 1).
 */
export function boxVoteNormalize(gpu: Gpu, x: GpuBuffer, lens: readonly number[], spread: number, channels = 1, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  const name = 'boxvote_normalize';
  check(lens.length >= 1 && lens.length <= 4 && lens.every((v) => Number.isInteger(v) && v >= 1), name, `bad patch counts [${lens}]`);
  check(Number.isInteger(spread) && spread >= 1 && Number.isInteger(channels) && channels >= 1, name, `bad spread ${spread} / channels ${channels}`);
  const pad = 4 - lens.length;
  const l = [...new Array<number>(pad).fill(1), ...lens];
  const cells = l.map((v, a) => (a < pad ? 1 : v + spread - 1));
  const total = cells.reduce((a, b) => a * b, 1) * channels;
  checkHolds(x, total, name, 'x');
  const out = opts.out ?? gpu.alloc(total * 4, 'boxvote normalized');
  checkHolds(out, total, name, 'out');
  check(out !== x, name, 'out must not alias x');
  gpu.dispatch(normKernel, {
    params: params({ n: cells, l, spread, ch: channels, total }),
    buffers: [x, out],
    workgroups: grid(Math.ceil(total / 256)),
    label: `[${cells}]x${channels} s=${spread}`,
  });
  return out;
}
