import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile, type Kernel } from '../../runtime/kernel.ts';
import { packParams, u, i } from '../../runtime/params.ts';
import { ceilDiv, dispatchForward, dummyBuffer, type Conv2dGeometry, type TileExchange } from './conv2d_common.ts';

/**
 * Winograd F(m x m, 3x3) convolution for 3x3, stride-1, undilated convolutions with Cin and Cout
 * multiples of 4: weight transform, input transform, alpha^2 transform-domain GEMMs (run by the
 * direct kernel as a batch of 1x1 convolutions), output transform with the bias/ReLU epilogue.
 * F(4x4) does 4x fewer multiply-adds than the direct convolution, F(2x2) 2.25x; the price is
 * rounding: the transforms scale values by up to ~10 (F(4x4)) before the long GEMM sums.
 */

export type WinogradTile = 2 | 4;

/** `file` with winograd_common.wgsl (tile size override, tile enumeration) in front. */
function transformKernel(name: string, file: string): Kernel {
  return kernelFromFile(name, 'ops/conv2d/', ['./winograd_common.wgsl', file]);
}

const inputKernel = transformKernel('winograd_input', './winograd_input.wgsl');
const outputKernel = transformKernel('winograd_output', './winograd_output.wgsl');
const weightKernel = transformKernel('winograd_weight', './winograd_weight.wgsl');

/** A 3x3 stride-1 convolution as the Winograd path sees it (input/output sizes, symmetric padding). */
export interface WinogradProblem {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
}

/** The forward convolution `g` runs on the Winograd path (any padding; 4-aligned channels). */
export function winogradApplies(g: Conv2dGeometry): boolean {
  return g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && g.cin % 4 === 0 && g.cout % 4 === 0;
}

/** Bytes of the largest transform-domain buffer (the launcher falls back to direct when it cannot be bound). */
export function winogradScratchBytes(q: WinogradProblem, m: WinogradTile): number {
  const tiles = q.n * ceilDiv(q.oh, m) * ceilDiv(q.ow, m);
  return (m + 2) ** 2 * tiles * Math.max(q.cin, q.cout) * 4;
}

/**
 * Records y = act(conv(x, w) + bias) for problem `q`. `flip` convolves with the 180-degree
 * rotated filter with Cin and Cout swapped (w stays the forward [3, 3, cout, cin] tensor of the
 * original convolution): the input gradient of a 3x3 stride-1 convolution.
 */
export function winogradConv(
  gpu: Gpu,
  x: GpuBuffer,
  w: GpuBuffer,
  y: GpuBuffer,
  q: WinogradProblem,
  m: WinogradTile,
  opts: { bias?: GpuBuffer; relu: boolean; flip: boolean; exchange: TileExchange; label: string },
): void {
  const alpha2 = (m + 2) ** 2;
  const th = ceilDiv(q.oh, m);
  const tw = ceilDiv(q.ow, m);
  const tiles = q.n * th * tw;
  const label = `F(${m}x${m},3x3) ${opts.label}`;

  const uw = gpu.alloc(alpha2 * q.cin * q.cout * 4, 'winograd U');
  // The weight kernel indexes the original tensor: [3, 3, cin, cout] forward, [3, 3, cout, cin] flipped.
  const [wcin, wcout] = opts.flip ? [q.cout, q.cin] : [q.cin, q.cout];
  gpu.dispatch(weightKernel, {
    overrides: { M_OUT: m, FLIP: Number(opts.flip) },
    params: packParams([u(wcin), u(wcout), u(3), u(m + 2)]),
    buffers: [w, uw],
    workgroups: grid(ceilDiv((q.cin * q.cout) / 4, 64)),
    label,
  });

  const v = gpu.alloc(alpha2 * tiles * q.cin * 4, 'winograd V');
  gpu.dispatch(inputKernel, {
    overrides: { M_OUT: m },
    params: packParams([u(q.n), u(q.h), u(q.w), u(q.cin), i(q.ph), i(q.pw), u(th), u(tw), u(m + 2)]),
    buffers: [x, v],
    workgroups: grid(ceilDiv((tiles * q.cin) / 4, 64)),
    label,
  });

  // alpha^2 GEMMs [tiles, cin] x [cin, cout]: 1x1 convolutions over a 1 x tiles "image".
  const mt = gpu.alloc(alpha2 * tiles * q.cout * 4, 'winograd M');
  const gemm: Conv2dGeometry = { n: 1, h: 1, w: tiles, cin: q.cin, cout: q.cout, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, oh: 1, ow: tiles };
  dispatchForward(gpu, v, uw, mt, {
    g: gemm, batch: alpha2, xBatch: tiles * q.cin, wBatch: q.cin * q.cout, yBatch: tiles * q.cout,
    relu: false, exchange: opts.exchange, label: `${label} GEMM x${alpha2}`,
  });

  gpu.dispatch(outputKernel, {
    overrides: { M_OUT: m },
    params: packParams([u(q.n), u(q.oh), u(q.ow), u(q.cout), u(th), u(tw), u((opts.bias ? 1 : 0) | (opts.relu ? 2 : 0)), u(m + 2), u(m)]),
    buffers: [mt, opts.bias ?? dummyBuffer(gpu, 2), y],
    workgroups: grid(ceilDiv((tiles * q.cout) / 4, 64)),
    label,
  });
  // Released in program order: later users of these pool buffers run after this conv's dispatches.
  uw.release();
  v.release();
  mt.release();
}
