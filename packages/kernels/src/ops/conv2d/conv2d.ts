import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import {
  ceilDiv, checkLength, conv2dGeometry, convParams, defaultExchange, describeShape, dispatchForward, tileGrid, tileKernel, views,
  type Conv2dGeometry, type Conv2dShape, type TileExchange,
} from './conv2d_common.ts';
import { winogradApplies, winogradConv, winogradScratchBytes, type WinogradProblem, type WinogradTile } from './winograd.ts';

/**
 * 2-D convolution (NHWC activations, HWIO weights [KH, KW, Cin, Cout]) and its two gradients,
 * as implicit GEMMs on one register tile (conv2d_tile.wgsl) plus Winograd F(2x2,3x3) /
 * F(4x4,3x3) for 3x3 stride-1 convolutions.
 *
 * NHWC keeps the reduction axis (Cin) of the forward pass and the output axis (Cout) of the
 * weights innermost, so every operand of every GEMM here is read as contiguous vec4s along a
 * channel axis; the weights' HWIO layout makes a weight row k = (ky, kx, ci) one contiguous run
 * of Cout values.
 */

export { conv2dGeometry, conv2dOutputSize, type Conv2dShape, type Conv2dGeometry, type TileExchange } from './conv2d_common.ts';

export type Conv2dActivation = 'none' | 'relu';
/** 'auto' picks Winograd F(4x4) (EXIFLANG_WINOGRAD=2: F(2x2), off: never) for 3x3 stride-1 aligned convolutions larger than 4x4, else direct. */
export type Conv2dAlgorithm = 'auto' | 'direct' | 'winograd2' | 'winograd4';

export interface Conv2dOptions {
  /** [Cout], added before the activation. */
  bias?: GpuBuffer;
  activation?: Conv2dActivation;
  /** Output buffer [N, OH, OW, Cout]; allocated from the pool when omitted. */
  out?: GpuBuffer;
  algorithm?: Conv2dAlgorithm;
  /** Tile exchange (tests force 'workgroup' to cover the portable path); default from the adapter. */
  exchange?: TileExchange;
}

/** The Winograd tile 'auto' uses: env EXIFLANG_WINOGRAD = 4 (default), 2, or off. */
function winogradPreference(): WinogradTile | null {
  const v = (process.env.EXIFLANG_WINOGRAD ?? '4').trim().toLowerCase();
  if (v === '4') return 4;
  if (v === '2') return 2;
  if (v === 'off' || v === '0') return null;
  throw new Error(`EXIFLANG_WINOGRAD must be 4, 2 or off, got '${v}'`);
}

/** The algorithm 'auto' resolves to, or that `want` names (checked against the shape). */
function resolveAlgorithm(gpu: Gpu, g: Conv2dGeometry, q: WinogradProblem | null, want: Conv2dAlgorithm, kernel: string): 'direct' | WinogradTile {
  if (want === 'direct') return 'direct';
  if (want === 'winograd2' || want === 'winograd4') {
    check(q !== null, kernel, `${want} needs a 3x3, stride-1, undilated convolution with Cin and Cout multiples of 4 (and pad <= 2 for the input gradient)`);
    return want === 'winograd2' ? 2 : 4;
  }
  // auto: F(4x4) wherever it applies and its scratch fits one binding; its error stays ~1e-5 of
  // the output scale for the channel counts tested (see test/conv2d_winograd.test.ts). Images
  // of at most 4x4 pixels (ResNet-50's last stage at 124 px) are a single padded tile, where
  // the transforms cost more than they save: direct measured 10% (forward) to 33% (input
  // gradient) faster there on lavapipe, at 1.5x slower than F(4x4) on 16x16 and larger.
  // EXIFLANG_WINOGRAD=2 trades ~1.5x of 3x3 speed for F(2x2)'s ~10x smaller error (train-mode
  // BN divides by small batch deviations, where F(4x4)'s error shows most); `off`: direct only.
  const tile = winogradPreference();
  if (tile === null || !q || Math.min(g.h * g.w, g.oh * g.ow) <= 16) return 'direct';
  if (winogradScratchBytes(q, tile) <= gpu.limits.maxStorageBufferBindingSize) return tile;
  return 'direct';
}

/** Which algorithm conv2d() / conv2dBackwardInput() would run for `shape` ('auto' resolved). */
export function conv2dAlgorithm(gpu: Gpu, shape: Conv2dShape, pass: 'forward' | 'backwardInput' = 'forward', want: Conv2dAlgorithm = 'auto'): 'direct' | 'winograd2' | 'winograd4' {
  const g = conv2dGeometry(shape, 'conv2dAlgorithm');
  const q = pass === 'forward' ? forwardProblem(g) : backwardInputProblem(g);
  const r = resolveAlgorithm(gpu, g, q, want, 'conv2dAlgorithm');
  return r === 'direct' ? 'direct' : r === 2 ? 'winograd2' : 'winograd4';
}

function forwardProblem(g: Conv2dGeometry): WinogradProblem | null {
  if (!winogradApplies(g)) return null;
  return { n: g.n, h: g.h, w: g.w, cin: g.cin, cout: g.cout, ph: g.ph, pw: g.pw, oh: g.oh, ow: g.ow };
}

/** dx = conv(dy, rot180(w)^T) with padding 2 - p: a forward Winograd problem from dy to dx. */
function backwardInputProblem(g: Conv2dGeometry): WinogradProblem | null {
  if (!winogradApplies(g) || g.ph > 2 || g.pw > 2) return null;
  return { n: g.n, h: g.oh, w: g.ow, cin: g.cout, cout: g.cin, ph: 2 - g.ph, pw: 2 - g.pw, oh: g.h, ow: g.w };
}

/**
 * y = act(conv2d(x, w) + bias): x [N, H, W, Cin], w [KH, KW, Cin, Cout] -> y [N, OH, OW, Cout].
 * Records the dispatches (never reads back) and returns y.
 */
export function conv2d(gpu: Gpu, x: GpuBuffer, w: GpuBuffer, shape: Conv2dShape, opts: Conv2dOptions = {}): GpuBuffer {
  const g = conv2dGeometry(shape, 'conv2d');
  checkLength(x, g.n * g.h * g.w * g.cin, 'conv2d', 'input x', shape);
  checkLength(w, g.kh * g.kw * g.cin * g.cout, 'conv2d', 'weight w', shape);
  if (opts.bias) checkLength(opts.bias, g.cout, 'conv2d', 'bias', shape);
  const ylen = g.n * g.oh * g.ow * g.cout;
  const y = opts.out ?? gpu.alloc(ylen * 4, 'conv2d out');
  checkLength(y, ylen, 'conv2d', 'output', shape);
  check(y !== x && y !== w && y !== opts.bias, 'conv2d', 'output must not alias an input');
  const exchange = opts.exchange ?? defaultExchange(gpu);
  const relu = opts.activation === 'relu';
  const label = describeShape(shape);
  const q = forwardProblem(g);
  const alg = resolveAlgorithm(gpu, g, q, opts.algorithm ?? 'auto', 'conv2d');
  if (alg !== 'direct' && q) {
    winogradConv(gpu, x, w, y, q, alg, { bias: opts.bias, relu, flip: false, exchange, label });
  } else {
    dispatchForward(gpu, x, w, y, { g, batch: 1, xBatch: 0, wBatch: 0, yBatch: 0, bias: opts.bias, relu, exchange, label });
  }
  return y;
}

export interface Conv2dBackwardInputOptions {
  /** dx buffer [N, H, W, Cin]; allocated from the pool when omitted. Every element is written. */
  out?: GpuBuffer;
  algorithm?: Conv2dAlgorithm;
  exchange?: TileExchange;
}

/**
 * dx = d(sum y * dy)/dx for y = conv2d(x, w) (the transposed convolution of dy with w):
 * dy [N, OH, OW, Cout], w [KH, KW, Cin, Cout] -> dx [N, H, W, Cin]. A bias/ReLU of the forward
 * pass is not part of this: apply the ReLU mask to dy first.
 */
export function conv2dBackwardInput(gpu: Gpu, dy: GpuBuffer, w: GpuBuffer, shape: Conv2dShape, opts: Conv2dBackwardInputOptions = {}): GpuBuffer {
  const kernel = 'conv2dBackwardInput';
  const g = conv2dGeometry(shape, kernel);
  checkLength(dy, g.n * g.oh * g.ow * g.cout, kernel, 'gradient dy', shape);
  checkLength(w, g.kh * g.kw * g.cin * g.cout, kernel, 'weight w', shape);
  const dxlen = g.n * g.h * g.w * g.cin;
  const dx = opts.out ?? gpu.alloc(dxlen * 4, 'conv2d dx');
  checkLength(dx, dxlen, kernel, 'output dx', shape);
  check(dx !== dy && dx !== w, kernel, 'output must not alias an input');
  const exchange = opts.exchange ?? defaultExchange(gpu);
  const label = `dx ${describeShape(shape)}`;
  const q = backwardInputProblem(g);
  const alg = resolveAlgorithm(gpu, g, q, opts.algorithm ?? 'auto', kernel);
  if (alg !== 'direct' && q) {
    winogradConv(gpu, dy, w, dx, q, alg, { relu: false, flip: true, exchange, label });
    return dx;
  }
  const vecIn = g.cin % 4 === 0;
  const vecOut = g.cout % 4 === 0;
  const phases = g.sh * g.sw;
  const pxTiles = ceilDiv(g.n * ceilDiv(g.h, g.sh) * ceilDiv(g.w, g.sw), 16);
  const ciTiles = ceilDiv(g.cin, 32);
  gpu.dispatch(tileKernel('conv2d_backward_input', './conv2d_backward_input.wgsl', exchange), {
    overrides: { VEC_IN: Number(vecIn), VEC_OUT: Number(vecOut) },
    params: packParams([...convParams(g), u(ciTiles), u(pxTiles)]),
    buffers: [...views(gpu, dy, vecOut, 0), ...views(gpu, w, vecOut, 1), ...views(gpu, dx, vecIn, 3)],
    workgroups: tileGrid(pxTiles, ciTiles * phases),
    label,
  });
  return dx;
}

export interface Conv2dBackwardWeightOptions {
  /** Add the gradient into this existing dw buffer [KH, KW, Cin, Cout] (and return it). */
  accumulate?: GpuBuffer;
  /** dw buffer when not accumulating; allocated from the pool when omitted. */
  out?: GpuBuffer;
  /** Split-K slices over the N*OH*OW reduction (default: enough for ~64 workgroups). */
  splits?: number;
  exchange?: TileExchange;
}

const reduceKernel = kernelFromFile('conv2d_splitk_reduce', 'ops/conv2d/', './conv2d_splitk_reduce.wgsl');

/** Split-K slices: enough workgroups to keep every core (or SM) busy, at least 64 pixels per slice. */
function defaultSplits(g: Conv2dGeometry): number {
  const wgs = ceilDiv(g.kh * g.kw * g.cin, 16) * ceilDiv(g.cout, 32);
  const pixels = g.n * g.oh * g.ow;
  return Math.max(1, Math.min(ceilDiv(64, wgs), Math.floor(pixels / 64)));
}

/**
 * dw = d(sum y * dy)/dw for y = conv2d(x, w): x [N, H, W, Cin], dy [N, OH, OW, Cout] ->
 * dw [KH, KW, Cin, Cout] (or dw += that, with `accumulate`).
 */
export function conv2dBackwardWeight(gpu: Gpu, x: GpuBuffer, dy: GpuBuffer, shape: Conv2dShape, opts: Conv2dBackwardWeightOptions = {}): GpuBuffer {
  const kernel = 'conv2dBackwardWeight';
  const g = conv2dGeometry(shape, kernel);
  checkLength(x, g.n * g.h * g.w * g.cin, kernel, 'input x', shape);
  checkLength(dy, g.n * g.oh * g.ow * g.cout, kernel, 'gradient dy', shape);
  check(!(opts.out && opts.accumulate && opts.out !== opts.accumulate), kernel, 'give either out or accumulate, not both');
  const kdim = g.kh * g.kw * g.cin;
  const dwlen = kdim * g.cout;
  const dw = opts.accumulate ?? opts.out ?? gpu.alloc(dwlen * 4, 'conv2d dw');
  checkLength(dw, dwlen, kernel, opts.accumulate ? 'accumulator' : 'output dw', shape);
  check(dw !== x && dw !== dy, kernel, 'output must not alias an input');
  const pixels = g.n * g.oh * g.ow;
  const want = opts.splits ?? defaultSplits(g);
  check(Number.isInteger(want) && want >= 1, kernel, `splits must be a positive integer, got ${want}`);
  // Slices hold whole steps of 4 pixels; the count is recomputed so none is empty.
  const chunk = Math.max(4, Math.ceil(pixels / want / 4) * 4);
  const splits = ceilDiv(pixels, chunk);
  const exchange = opts.exchange ?? defaultExchange(gpu);
  const vecIn = g.cin % 4 === 0;
  const vecOut = g.cout % 4 === 0;
  const kTiles = ceilDiv(kdim, 16);
  const coTiles = ceilDiv(g.cout, 32);
  check(splits * coTiles <= gpu.limits.maxComputeWorkgroupsPerDimension, kernel, () => `${splits} split-K slices x ${coTiles} channel tiles exceed the workgroup grid (${describeShape(shape)})`);
  const label = `dw ${describeShape(shape)} splits ${splits}`;
  const direct = splits === 1;
  const out = direct ? dw : gpu.alloc(splits * dwlen * 4, 'conv2d dw slices');
  gpu.dispatch(tileKernel('conv2d_backward_weight', './conv2d_backward_weight.wgsl', exchange), {
    overrides: { VEC_IN: Number(vecIn), VEC_OUT: Number(vecOut) },
    params: packParams([...convParams(g), u(direct && opts.accumulate ? 1 : 0), u(kTiles), u(coTiles), u(chunk)]),
    buffers: [...views(gpu, x, vecIn, 0), ...views(gpu, dy, vecOut, 1), ...views(gpu, out, vecOut, 3)],
    workgroups: tileGrid(kTiles, coTiles * splits),
    label,
  });
  if (!direct) {
    gpu.dispatch(reduceKernel, {
      params: packParams([u(dwlen), u(splits), u(opts.accumulate ? 1 : 0)]),
      buffers: [out, dw],
      workgroups: grid(ceilDiv(dwlen, 256)),
      label,
    });
    out.release();
  }
  return dw;
}
