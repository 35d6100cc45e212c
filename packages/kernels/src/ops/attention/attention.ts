import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f, type ParamValue } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { subgroupMatmulAvailable } from '../matmul/matmul.ts';
import { dropoutParams } from '../dropout/dropout.ts';

const IO = './attention_io.wgsl';
const STAGE_KEYS = './attention_stage_keys.wgsl';
const SG_IO = './attention_sg_io.wgsl';
// Dropout inside the kernels: the dropout kernel's mask hash, then the attention helpers.
const DROP = ['/ops/dropout/dropout_hash.wgsl', './attention_dropout.wgsl'];
const fwdKernel = kernelFromFile('attention_fwd', 'ops/attention/', [IO, ...DROP, './attention_fwd.wgsl', STAGE_KEYS]);
const preKernel = kernelFromFile('attention_bwd_pre', 'ops/attention/', './attention_bwd_pre.wgsl');
const dqKernel = kernelFromFile('attention_bwd_q', 'ops/attention/', [IO, ...DROP, './attention_bwd_q.wgsl', STAGE_KEYS]);
const dkvKernel = kernelFromFile('attention_bwd_kv', 'ops/attention/', [IO, ...DROP, './attention_bwd_kv.wgsl']);
const fwdKernelSg = kernelFromFile('attention_fwd_sg', 'ops/attention/', [SG_IO, ...DROP, './attention_fwd_sg.wgsl']);
const dqKernelSg = kernelFromFile('attention_bwd_q_sg', 'ops/attention/', [SG_IO, ...DROP, './attention_bwd_q_sg.wgsl']);
const dkvKernelSg = kernelFromFile('attention_bwd_kv_sg', 'ops/attention/', [SG_IO, ...DROP, './attention_bwd_kv_sg.wgsl']);

/**
 * 'portable': workgroup-memory tiles (any device, any D <= 128). 'subgroup': one 8-lane
 * subgroup per 8 rows, data exchanged by subgroupShuffle (lavapipe; D a multiple of 4, <= 64).
 */
export type AttentionKernel = 'portable' | 'subgroup';

/** Attention tensors are [B, T, H, D] (a [B*T, H*D] projection), the key mask [B, T] u32. */
export interface AttentionShape {
  B: number;
  T: number;
  H: number;
  D: number;
}

export interface AttentionInputs {
  /** f32 [B, T, H, D] */
  q: GpuBuffer;
  k: GpuBuffer;
  v: GpuBuffer;
  /** u32 [B, T]: 1 = real token, 0 = padding (never attended to as a key). */
  mask: GpuBuffer;
}

/**
 * Dropout on the probabilities (training), fused: the mask of probability (b, h, i, j) is
 * `dropout`'s keep(seed, ((b * H + h) * T + i) * T + j), i.e. exactly the mask `dropout` with
 * this seed applies to the materialised [B, H, T, T] probabilities. Forward and backward must
 * get the same p and seed.
 */
export interface AttentionDropout {
  /** drop probability in [0, 1) */
  p: number;
  /** two u32 words keying the mask */
  seed: readonly [number, number];
}

export interface AttentionForwardOptions {
  /** Multiplies q . k; default 1 / sqrt(D). */
  scale?: number;
  /** Dropout on the probabilities; none when absent or p = 0. */
  dropout?: AttentionDropout;
  /** Force an implementation (tests, benchmarks); default: the best one for this device and D. */
  kernel?: AttentionKernel;
  /** f32 [B, T, H, D] destination (allocated when absent). */
  out?: GpuBuffer;
  /** f32 [B, H, T] destination for the row logsumexp (allocated when absent). */
  lse?: GpuBuffer;
}

export interface AttentionForwardResult {
  out: GpuBuffer;
  /** Row logsumexp of the scaled scores, [B, H, T]; +Infinity for a query without kept keys. */
  lse: GpuBuffer;
}

export interface AttentionBackwardInputs extends AttentionInputs {
  /** The forward's output and logsumexp. */
  out: GpuBuffer;
  lse: GpuBuffer;
  /** Gradient of the loss with respect to out, [B, T, H, D]. */
  dOut: GpuBuffer;
}

export interface AttentionBackwardOptions {
  /** Must equal the forward's scale; default 1 / sqrt(D). */
  scale?: number;
  /** Must equal the forward's dropout. */
  dropout?: AttentionDropout;
  /** Force an implementation (tests, benchmarks); default: the best one for this device and D. */
  kernel?: AttentionKernel;
  dq?: GpuBuffer;
  dk?: GpuBuffer;
  dv?: GpuBuffer;
}

export interface AttentionGrads {
  dq: GpuBuffer;
  dk: GpuBuffer;
  dv: GpuBuffer;
}

/** Largest head dimension: the kernels keep a row of q (and accumulators) in registers. */
export const ATTENTION_MAX_HEAD_DIM = 128;

/**
 * Tile configuration of one kernel: `rows` = threads per workgroup (one output row each),
 * `staged` = rows of the other operand staged per block, `gmax` = capacity in 16-column groups.
 * Kernels read D and g = ceil(D / 16) from their params, so one pipeline serves every D up to
 * 16 * gmax: two pipelines per kernel at most (D <= 64 and D <= 128), each compiled once.
 */
interface Tiles {
  rows: number;
  staged: number;
  gmax: number;
}

/** Preference order: large workgroups and blocks first, both multiples of 8. */
const TILE_CANDIDATES: ReadonlyArray<[number, number]> = [
  [32, 32],
  [32, 16],
  [16, 16],
  [32, 8],
  [16, 8],
  [8, 8],
];

/**
 * Workgroup memory of each kernel (bytes) for a tile configuration, mirroring its declarations:
 * every kernel stages two [staged][4g] vec4 tiles; the forward keeps one [4g][rows] vec4
 * accumulator, one [staged][rows] f32 score tile and [staged] flags; dq the same with two score
 * tiles; dk/dv two accumulators, two score tiles and [staged] (lse, delta) pairs.
 */
type KernelKind = 'fwd' | 'q' | 'kv';
function workgroupBytes(kind: KernelKind, t: Tiles): number {
  const c4 = 4 * t.gmax;
  const staging = 2 * t.staged * c4 * 16;
  const tile = t.staged * t.rows * 4;
  if (kind === 'fwd') return staging + c4 * t.rows * 16 + tile + t.staged * 4;
  if (kind === 'q') return staging + c4 * t.rows * 16 + 2 * tile + t.staged * 4;
  return staging + 2 * c4 * t.rows * 16 + 2 * tile + t.staged * 8;
}

function tilesFor(gpu: Gpu, kind: KernelKind, D: number): Tiles {
  const gmax = D <= 64 ? 4 : 8;
  const limit = gpu.limits.maxComputeWorkgroupStorageSize;
  for (const [rows, staged] of TILE_CANDIDATES) {
    const t = { rows, staged, gmax };
    if (workgroupBytes(kind, t) <= limit) return t;
  }
  throw new Error(`attention: D=${D} needs more workgroup memory than this device's ${limit} bytes`);
}

/** Largest head dimension of the subgroup kernels (their rows live in registers). */
const SUBGROUP_MAX_HEAD_DIM = 64;

/** The implementation a call uses: the subgroup kernels on CPU adapters with 8-wide subgroups. */
export function attentionKernelFor(gpu: Gpu, D: number, forced?: AttentionKernel): AttentionKernel {
  const fits = D % 4 === 0 && D <= SUBGROUP_MAX_HEAD_DIM;
  if (forced === 'subgroup') {
    check(subgroupMatmulAvailable(gpu), 'attention', 'the subgroup kernels need the subgroups feature with subgroup size 8');
    check(fits, 'attention', `the subgroup kernels need D a multiple of 4 and <= ${SUBGROUP_MAX_HEAD_DIM}, got ${D}`);
    return 'subgroup';
  }
  if (forced === 'portable') return 'portable';
  return gpu.adapter.isCpu && fits && subgroupMatmulAvailable(gpu) ? 'subgroup' : 'portable';
}

/** The dropout words of both Params structs (seed0, seed1, threshold, keep_scale), zeros without dropout. */
interface DropWords {
  on: boolean;
  words: ParamValue[];
  label: string;
}

function dropWords(name: string, s: AttentionShape, d: AttentionDropout | undefined): DropWords {
  if (!d || d.p === 0) return { on: false, words: [u(0), u(0), u(0), f(1)], label: '' };
  check(d.p > 0 && d.p < 1, name, `dropout p ${d.p} is not in [0, 1)`);
  check(d.seed.length === 2 && d.seed.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff), name, `dropout seed [${d.seed.join(',')}] is not two u32 words`);
  const count = s.B * s.H * s.T * s.T;
  check(count <= 2 ** 32, name, `dropout indexes the B*H*T*T = ${count} probabilities with u32: at most 2^32`);
  const { threshold, scale } = dropoutParams(d.p);
  return { on: true, words: [u(d.seed[0]), u(d.seed[1]), u(threshold), f(scale)], label: ` dropout=${d.p}` };
}

/** Params {B, T, H, D, scale, d4, dropout words} of the subgroup kernels (one pipeline each for every D <= 64). */
function subgroupParams(s: AttentionShape, scale: number, d: DropWords): ArrayBuffer {
  return packParams([u(s.B), u(s.T), u(s.H), u(s.D), f(scale), u(s.D / 4), ...d.words]);
}

function validate(name: string, inputs: AttentionInputs, s: AttentionShape, extra: Record<string, GpuBuffer | undefined>): void {
  const { B, T, H, D } = s;
  for (const [key, value] of Object.entries({ B, T, H, D })) {
    check(Number.isInteger(value) && value >= 1, name, `${key} must be a positive integer, got ${value}`);
  }
  check(D <= ATTENTION_MAX_HEAD_DIM, name, `head dim D=${D} exceeds ${ATTENTION_MAX_HEAD_DIM}`);
  check(B <= 65535 && H <= 65535, name, `B=${B}, H=${H} must each be <= 65535 (workgroup grid)`);
  const n = B * T * H * D;
  const tensors: Record<string, GpuBuffer | undefined> = { q: inputs.q, k: inputs.k, v: inputs.v, ...extra };
  for (const [key, buf] of Object.entries(tensors)) {
    if (!buf) continue;
    const want = key === 'lse' ? B * H * T : n;
    check(buf.length >= want, name, () => `${key} ('${buf.label}') holds ${buf.length} < ${want} elements for B=${B} T=${T} H=${H} D=${D}`);
  }
  check(inputs.mask.length >= B * T, name, () => `mask ('${inputs.mask.label}') holds ${inputs.mask.length} < B*T = ${B * T} elements`);
}

/**
 * Params {B, T, H, D, scale, g, nb} of the forward and both gradient kernels: g = ceil(D / 16)
 * column groups, nb = rows per staged block (equal to the override sizing the tiles, passed as a
 * uniform so that Mesa does not unroll the loops over it).
 */
function kernelParams(s: AttentionShape, scale: number, t: Tiles, d: DropWords): ArrayBuffer {
  return packParams([u(s.B), u(s.T), u(s.H), u(s.D), f(scale), u(Math.ceil(s.D / 16)), u(t.staged), ...d.words]);
}

function shapeLabel(s: AttentionShape, scale: number): string {
  return `B=${s.B} T=${s.T} H=${s.H} D=${s.D} scale=${scale.toPrecision(4)}`;
}

/**
 * Fused multi-head attention forward: out = softmax(scale * q k^T, keys masked) v per (batch,
 * head), FlashAttention-style (no T x T matrix in memory), plus the row logsumexp kept for the
 * backward pass.
 */
export function attentionForward(gpu: Gpu, inputs: AttentionInputs, shape: AttentionShape, opts: AttentionForwardOptions = {}): AttentionForwardResult {
  validate('attention_fwd', inputs, shape, { out: opts.out, lse: opts.lse });
  const { B, T, H, D } = shape;
  const scale = opts.scale ?? 1 / Math.sqrt(D);
  const out = opts.out ?? gpu.alloc(B * T * H * D * 4, 'attention out');
  const drop = dropWords('attention_fwd', shape, opts.dropout);
  const label = shapeLabel(shape, scale) + drop.label;
  const lse = opts.lse ?? gpu.alloc(B * H * T * 4, 'attention lse');
  if (attentionKernelFor(gpu, D, opts.kernel) === 'subgroup') {
    gpu.dispatch(fwdKernelSg, {
      overrides: { DROPOUT: drop.on },
      params: subgroupParams(shape, scale, drop),
      buffers: [inputs.q, inputs.k, inputs.v, inputs.mask, out, lse],
      workgroups: [Math.ceil(T / 8), H, B],
      label: `${label} subgroup`,
    });
    return { out, lse };
  }
  const t = tilesFor(gpu, 'fwd', D);
  gpu.dispatch(fwdKernel, {
    overrides: { BQ: t.rows, BK: t.staged, GMAX: t.gmax, DROPOUT: drop.on },
    params: kernelParams(shape, scale, t, drop),
    buffers: [inputs.q, inputs.k, inputs.v, inputs.mask, out, lse],
    workgroups: [Math.ceil(T / t.rows), H, B],
    label,
  });
  return { out, lse };
}

/**
 * Backward of attentionForward given dOut: dq, dk, dv. Three dispatches, each output row
 * written by one thread (deterministic, no atomics): the per-query (lse, delta) statistics,
 * then dq parallel over query blocks, then dk and dv parallel over key blocks; both recompute
 * the probabilities from q, k and lse.
 */
export function attentionBackward(gpu: Gpu, inputs: AttentionBackwardInputs, shape: AttentionShape, opts: AttentionBackwardOptions = {}): AttentionGrads {
  validate('attention_bwd', inputs, shape, { out: inputs.out, lse: inputs.lse, dOut: inputs.dOut, dq: opts.dq, dk: opts.dk, dv: opts.dv });
  const { B, T, H, D } = shape;
  const scale = opts.scale ?? 1 / Math.sqrt(D);
  const n = B * T * H * D;
  const drop = dropWords('attention_bwd', shape, opts.dropout);
  const label = shapeLabel(shape, scale) + drop.label;

  const rowstat = gpu.alloc(B * H * T * 8, 'attention rowstat');
  gpu.dispatch(preKernel, {
    params: packParams([u(B), u(T), u(H), u(D)]),
    buffers: [inputs.out, inputs.dOut, inputs.lse, rowstat],
    workgroups: grid(Math.ceil((B * H * T) / 64)),
    label,
  });

  const dq = opts.dq ?? gpu.alloc(n * 4, 'attention dq');
  const dk = opts.dk ?? gpu.alloc(n * 4, 'attention dk');
  const dv = opts.dv ?? gpu.alloc(n * 4, 'attention dv');
  if (attentionKernelFor(gpu, D, opts.kernel) === 'subgroup') {
    const params = subgroupParams(shape, scale, drop);
    const overrides = { DROPOUT: drop.on };
    const common = [inputs.q, inputs.k, inputs.v, inputs.mask, inputs.dOut, rowstat];
    gpu.dispatch(dqKernelSg, { overrides, params, buffers: [...common, dq], workgroups: [Math.ceil(T / 8), H, B], label: `${label} subgroup` });
    gpu.dispatch(dkvKernelSg, { overrides, params, buffers: [...common, dk, dv], workgroups: [Math.ceil(T / 8), H, B], label: `${label} subgroup` });
    rowstat.release();
    return { dq, dk, dv };
  }
  const tq = tilesFor(gpu, 'q', D);
  gpu.dispatch(dqKernel, {
    overrides: { BQ: tq.rows, BK: tq.staged, GMAX: tq.gmax, DROPOUT: drop.on },
    params: kernelParams(shape, scale, tq, drop),
    buffers: [inputs.q, inputs.k, inputs.v, inputs.mask, inputs.dOut, rowstat, dq],
    workgroups: [Math.ceil(T / tq.rows), H, B],
    label,
  });

  const tkv = tilesFor(gpu, 'kv', D);
  gpu.dispatch(dkvKernel, {
    overrides: { BK: tkv.rows, BQ: tkv.staged, GMAX: tkv.gmax, DROPOUT: drop.on },
    params: kernelParams(shape, scale, tkv, drop),
    buffers: [inputs.q, inputs.k, inputs.v, inputs.mask, inputs.dOut, rowstat, dk, dv],
    workgroups: [Math.ceil(T / tkv.rows), H, B],
    label,
  });
  rowstat.release();
  return { dq, dk, dv };
}
