import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile, type Kernel } from '../../runtime/kernel.ts';
import { packParams, u, i, type ParamValue } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';

/**
 * Shared pieces of the conv2d launchers: shape resolution/validation, assembly of the tile
 * kernels (exchange prelude + conv2d_tile.wgsl + the kernel), the vec4/scalar binding views,
 * and the direct implicit-GEMM launch that the forward pass, the 1x1 path and the Winograd
 * transform-domain GEMMs share.
 */

export interface Conv2dShape {
  /** batch */
  n: number;
  /** input height, width, channels */
  h: number;
  w: number;
  cin: number;
  /** output channels */
  cout: number;
  /** kernel height, width */
  kh: number;
  kw: number;
  /** stride (sh, sw) or one value for both; default 1 */
  stride?: number | readonly [number, number];
  /** symmetric zero padding (ph, pw) or one value for both; default 0 */
  pad?: number | readonly [number, number];
  /** dilation (dh, dw) or one value for both; default 1 */
  dilation?: number | readonly [number, number];
}

/** A validated shape with every field resolved, plus the output size. */
export interface Conv2dGeometry {
  n: number; h: number; w: number; cin: number; cout: number; kh: number; kw: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  oh: number; ow: number;
}

function pair(v: number | readonly [number, number] | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

export function describeShape(s: Conv2dShape): string {
  const fmt = (v: number | readonly [number, number] | undefined) => (v === undefined ? '-' : typeof v === 'number' ? `${v}` : `${v[0]}x${v[1]}`);
  return `x [${s.n},${s.h},${s.w},${s.cin}] w [${s.kh},${s.kw},${s.cin},${s.cout}] stride ${fmt(s.stride)} pad ${fmt(s.pad)} dilation ${fmt(s.dilation)}`;
}

/** Resolves and validates a shape (throws ShapeError naming it). */
export function conv2dGeometry(shape: Conv2dShape, kernel = 'conv2d'): Conv2dGeometry {
  const [sh, sw] = pair(shape.stride, 1);
  const [ph, pw] = pair(shape.pad, 0);
  const [dh, dw] = pair(shape.dilation, 1);
  const what = () => describeShape(shape);
  const pos = { n: shape.n, h: shape.h, w: shape.w, cin: shape.cin, cout: shape.cout, kh: shape.kh, kw: shape.kw, sh, sw, dh, dw };
  for (const [k, v] of Object.entries(pos)) check(Number.isInteger(v) && v >= 1, kernel, () => `${k} must be a positive integer, got ${v} (${what()})`);
  for (const [k, v] of Object.entries({ ph, pw })) check(Number.isInteger(v) && v >= 0, kernel, () => `${k} must be a non-negative integer, got ${v} (${what()})`);
  const oh = Math.floor((shape.h + 2 * ph - dh * (shape.kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((shape.w + 2 * pw - dw * (shape.kw - 1) - 1) / sw) + 1;
  check(oh >= 1 && ow >= 1, kernel, () => `empty output ${oh}x${ow} (${what()})`);
  return { n: shape.n, h: shape.h, w: shape.w, cin: shape.cin, cout: shape.cout, kh: shape.kh, kw: shape.kw, sh, sw, ph, pw, dh, dw, oh, ow };
}

/** Output height and width: floor((H + 2p - d(K - 1) - 1) / s) + 1. */
export function conv2dOutputSize(shape: Conv2dShape): { oh: number; ow: number } {
  const g = conv2dGeometry(shape, 'conv2dOutputSize');
  return { oh: g.oh, ow: g.ow };
}

// ------------------------------------------------------------------ kernels

/** Tile exchange: subgroup shuffles where the adapter guarantees >= 8-wide subgroups, else workgroup memory. */
export type TileExchange = 'subgroup' | 'workgroup';

const kernels = new Map<string, Kernel>();

/** `file`'s kernel assembled with the tile fragment and the chosen exchange (one shader module each). */
export function tileKernel(name: string, file: string, exchange: TileExchange): Kernel {
  const key = `${name}|${exchange}`;
  let k = kernels.get(key);
  if (!k) {
    const prelude = exchange === 'subgroup' ? './tile_subgroup.wgsl' : './tile_workgroup.wgsl';
    k = kernelFromFile(exchange === 'subgroup' ? name : `${name}_wgmem`, 'ops/conv2d/', [prelude, './conv2d_tile.wgsl', file]);
    kernels.set(key, k);
  }
  return k;
}

export function defaultExchange(gpu: Gpu): TileExchange {
  const info = (gpu.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return gpu.device.features.has('subgroups') && (info?.subgroupMinSize ?? 0) >= 8 ? 'subgroup' : 'workgroup';
}

const dummies = new WeakMap<Gpu, GpuBuffer[]>();

/**
 * 16-byte buffer bound to whichever vec4/scalar view of a tensor a variant does not use. One per
 * binding slot: WebGPU rejects one buffer bound twice when either binding is writable, and the
 * runtime rejects any repeat.
 */
export function dummyBuffer(gpu: Gpu, slot: number): GpuBuffer {
  let list = dummies.get(gpu);
  if (!list) dummies.set(gpu, (list = []));
  while (list.length <= slot) list.push(gpu.zeros(16, `conv2d unused view ${list.length}`));
  return list[slot];
}

/** [vec4 view, scalar view] bindings of `buf`: the one not selected by `vec` gets dummy `slot`. */
export function views(gpu: Gpu, buf: GpuBuffer, vec: boolean, slot: number): [GpuBuffer, GpuBuffer] {
  return vec ? [buf, dummyBuffer(gpu, slot)] : [dummyBuffer(gpu, slot), buf];
}

export function checkLength(buf: GpuBuffer, n: number, kernel: string, what: string, shape: Conv2dShape): void {
  check(buf.length >= n, kernel, () => `${what} '${buf.label}' holds ${buf.length} < ${n} elements (${describeShape(shape)})`);
}

/** Grid over `tiles` pixel tiles (2-D when > 65535) with `z` workgroups in z. */
export function tileGrid(tiles: number, z: number): [number, number, number] {
  const [x, y] = grid(tiles);
  return [x, y, z];
}

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** The `Conv` struct that opens every tile kernel's Params (conv2d_tile.wgsl), 64 bytes. */
export function convParams(g: Conv2dGeometry): ParamValue[] {
  return [
    u(g.n), u(g.h), u(g.w), u(g.cin), u(g.oh), u(g.ow), u(g.cout), u(g.kh),
    u(g.kw), u(g.sh), u(g.sw), i(g.ph), i(g.pw), u(g.dh), u(g.dw), u(16),
  ];
}

// ------------------------------------------------------------------ direct forward launch

/** A batch of `batch` independent direct convolutions (x/w/y offsets x_batch/w_batch/y_batch apart). */
export interface ForwardLaunch {
  g: Conv2dGeometry;
  batch: number;
  xBatch: number;
  wBatch: number;
  yBatch: number;
  bias?: GpuBuffer;
  relu: boolean;
  exchange: TileExchange;
  label: string;
}

export function dispatchForward(gpu: Gpu, x: GpuBuffer, w: GpuBuffer, y: GpuBuffer, L: ForwardLaunch): void {
  const { g } = L;
  const vecIn = g.cin % 4 === 0;
  const vecOut = g.cout % 4 === 0;
  const pxTiles = ceilDiv(g.n * g.oh * g.ow, 16);
  const coTiles = ceilDiv(g.cout, 32);
  const flags = (L.bias ? 1 : 0) | (L.relu ? 2 : 0);
  const plain = g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0;
  gpu.dispatch(tileKernel('conv2d_forward', './conv2d_forward.wgsl', L.exchange), {
    overrides: { VEC_IN: Number(vecIn), VEC_OUT: Number(vecOut), PLAIN: Number(plain) },
    params: packParams([...convParams(g), u(flags), u(pxTiles), u(coTiles), u(L.xBatch), u(L.wBatch), u(L.yBatch)]),
    buffers: [...views(gpu, x, vecIn, 0), ...views(gpu, w, vecOut, 1), L.bias ?? dummyBuffer(gpu, 2), ...views(gpu, y, vecOut, 3)],
    workgroups: tileGrid(pxTiles, coTiles * L.batch),
    label: L.label,
  });
}

