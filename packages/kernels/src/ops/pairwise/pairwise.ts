import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';

const distKernel = kernelFromFile('gram_dist', 'ops/pairwise/', './pairwise.wgsl', 'gram_dist');
const affinityKernel = kernelFromFile('affinity', 'ops/pairwise/', './pairwise.wgsl', 'affinity');
const diagonalKernel = kernelFromFile('diagonal', 'ops/pairwise/', './pairwise.wgsl', 'diagonal');

function checkSquare(name: string, m: number, x: GpuBuffer, out: GpuBuffer): void {
  check(Number.isInteger(m) && m >= 1, name, `bad size ${m}`);
  checkHolds(x, m * m, name, 'input');
  checkHolds(out, m * m, name, 'out');
  check(out !== x, name, 'out must not alias the input');
}

/** Euclidean distances [m, m] between the rows of X from its Gram matrix g = X X^T ([m, m]). */
export function gramDistances(gpu: Gpu, g: GpuBuffer, m: number, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  const out = opts.out ?? gpu.alloc(m * m * 4, 'gram distances');
  checkSquare('gram_dist', m, g, out);
  gpu.dispatch(distKernel, { params: packParams([u(m)]), buffers: [g, out], workgroups: grid(Math.ceil((m * m) / 256)), label: `m=${m}` });
  return out;
}

/** Affinity (1 - v[i, j]) * s[i] * s[j] off the diagonal, 0 on it, of a dissimilarity matrix v [m, m]; s [m]. */
export function cutAffinity(gpu: Gpu, v: GpuBuffer, s: GpuBuffer, m: number, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  const out = opts.out ?? gpu.alloc(m * m * 4, 'cut affinity');
  checkSquare('affinity', m, v, out);
  checkHolds(s, m, 'affinity', 's');
  gpu.dispatch(affinityKernel, { params: packParams([u(m)]), buffers: [v, s, out], workgroups: grid(Math.ceil((m * m) / 256)), label: `m=${m}` });
  return out;
}

/** The diagonal [m] of a square matrix [m, m]. */
export function diagonal(gpu: Gpu, g: GpuBuffer, m: number, opts: { out?: GpuBuffer } = {}): GpuBuffer {
  check(Number.isInteger(m) && m >= 1, 'diagonal', `bad size ${m}`);
  checkHolds(g, m * m, 'diagonal', 'g');
  const out = opts.out ?? gpu.alloc(m * 4, 'diagonal');
  checkHolds(out, m, 'diagonal', 'out');
  gpu.dispatch(diagonalKernel, { params: packParams([u(m)]), buffers: [g, out], workgroups: grid(Math.ceil(m / 256)), label: `m=${m}` });
  return out;
}
