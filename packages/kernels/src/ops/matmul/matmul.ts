import type { Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import type { Kernel } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';
import { ACTIVATIONS, kernelWithActivations, type Activation } from '../common/activation.ts';

// matmul_io.wgsl: Params, vec4 views, epilogue shared by both kernels.
const tiledScalar = kernelWithActivations('matmul', 'ops/matmul/', ['./matmul_io.wgsl', './matmul.wgsl'], 'main');
const tiledVec4 = kernelWithActivations('matmul_vec4', 'ops/matmul/', ['./matmul_io.wgsl', './matmul.wgsl'], 'main_vec4');
const subgroupVec4 = kernelWithActivations('matmul_subgroup', 'ops/matmul/', ['./matmul_io.wgsl', './matmul_subgroup.wgsl'], 'main');

/** 'tiled': workgroup-memory tiles (portable, GPUs); 'subgroup': 8-wide subgroup kernel (lavapipe). */
export type MatmulKernel = 'tiled' | 'subgroup';

export interface MatmulOptions {
  /** op(A) is [M, K], op(B) is [K, N], C is [M, N] (per batch item). */
  M: number;
  N: number;
  K: number;
  /** Number of independent products (default 1); C is [batch, M, N]. */
  batch?: number;
  /** A holds a single matrix used for every batch item (e.g. a shared weight); else [batch, ...]. */
  broadcastA?: boolean;
  /** B holds a single matrix used for every batch item. */
  broadcastB?: boolean;
  /** A is stored [K, M] and used transposed. */
  transA?: boolean;
  /** B is stored [N, K] and used transposed (Linear: y = x W^T with W [out, in]). */
  transB?: boolean;
  /** Scales A.B before the bias (default 1). */
  alpha?: number;
  /** [N], added to every row after alpha. */
  bias?: GpuBuffer;
  /** Applied after alpha and bias (default 'none'). */
  activation?: Activation;
  /**
   * Accumulate into this [batch, M, N] buffer: C = act(alpha A.B + bias) + C_old, written back
   * into it (gradient accumulation, residual adds). The result is this buffer.
   */
  accumulate?: GpuBuffer;
  /** Output buffer [batch, M, N] (allocated from the pool when omitted). */
  out?: GpuBuffer;
  /** Force an implementation (tests, benchmarks); default: the best one for this device and shape. */
  kernel?: MatmulKernel;
}

/** How a matmul call is executed (exposed so tests and benchmarks can see the variant taken). */
export interface MatmulPlan {
  kernel: MatmulKernel;
  /** vec4 reads and writes (contiguous axes of A, B and C are multiples of 4). */
  vec4: boolean;
  /** Compiled with bounds checks (false: the shape is a multiple of the block, no checks at all). */
  checked: boolean;
  /** Block of C per workgroup, rows x columns. */
  block: [number, number];
  workgroups: [number, number, number];
  overrides: Record<string, number>;
}

// Subgroup kernel block: each lane keeps RL x NC = 64 accumulators (lavapipe spills some to the
// stack, still cheaper than the reads a smaller block needs), one subgroup per workgroup.
// Measured on lavapipe (2 cores, 1024^3, CPU time so that other load cancels out): RL4/NC16
// and RL2/NC32 best; RL4/NC8 0.7x, RL8/NC8 0.55x, RL4/NC32 0.75x (20 KB loop body, 128
// accumulators), K unrolled by 8 instead of 4 0.8x (the loop no longer fits the i-cache),
// SGS 2 or 4 no gain. NC 32 also needs NIR to unroll a 4-trip loop it sometimes keeps.
const SG_RL = 4;
const SG_NC = 16;
const SG_SGS = 1;

/** Whether this device can run the subgroup kernel (subgroups of exactly 8 invocations). */
export function subgroupMatmulAvailable(gpu: Gpu): boolean {
  if (!gpu.device.features.has('subgroups')) return false;
  // (adapterInfo is missing on older Dawn builds: then the size is unknown, so no.)
  const info = gpu.device.adapterInfo as GPUAdapterInfo | undefined;
  return info?.subgroupMinSize === 8 && info.subgroupMaxSize === 8;
}

function isVec4(o: MatmulOptions): boolean {
  const { M, N, K } = o;
  const aOk = o.transA ? M % 4 === 0 : K % 4 === 0;
  const bOk = o.transB ? K % 4 === 0 : N % 4 === 0;
  return aOk && bOk && N % 4 === 0;
}

/** Chooses kernel, view and block for a call (no GPU work). */
export function planMatmul(gpu: Gpu, o: MatmulOptions): MatmulPlan {
  const { M, N, K } = o;
  const batch = o.batch ?? 1;
  const vec4 = isVec4(o);
  const kernel = o.kernel ?? (gpu.adapter.isCpu && vec4 && subgroupMatmulAvailable(gpu) ? 'subgroup' : 'tiled');
  if (kernel === 'subgroup') {
    check(subgroupMatmulAvailable(gpu), 'matmul', 'the subgroup kernel needs the subgroups feature with subgroup size 8');
    check(vec4, 'matmul', () => `the subgroup kernel needs the contiguous axes of A and B, and N, to be multiples of 4 (M=${M} N=${N} K=${K})`);
    const rows = 8 * SG_RL * SG_SGS;
    const checked = M % rows !== 0 || N % SG_NC !== 0 || K % 4 !== 0;
    return {
      kernel,
      vec4,
      checked,
      block: [rows, SG_NC],
      workgroups: [Math.ceil(N / SG_NC), Math.ceil(M / rows), batch],
      // Dawn takes override values as numbers only (booleans are rejected): 0/1.
      overrides: { TRANS_A: o.transA ? 1 : 0, TRANS_B: o.transB ? 1 : 0, CHECKED: checked ? 1 : 0, RL: SG_RL, NC: SG_NC, SGS: SG_SGS },
    };
  }
  const checked = !vec4 || M % 32 !== 0 || N % 32 !== 0 || K % 16 !== 0;
  return {
    kernel,
    vec4,
    checked,
    block: [32, 32],
    workgroups: [Math.ceil(N / 32), Math.ceil(M / 32), batch],
    // The scalar entry point always checks; CHECKED only specialises main_vec4.
    overrides: vec4 ? { CHECKED: checked ? 1 : 0 } : {},
  };
}

// A 16-byte zero buffer bound as `bias` when there is none (every binding must be bound).
const dummyBias = new WeakMap<Gpu, GpuBuffer>();

function noBias(gpu: Gpu): GpuBuffer {
  let b = dummyBias.get(gpu);
  if (!b || b.isReleased) {
    b = gpu.zeros(16, 'matmul no-bias');
    dummyBias.set(gpu, b);
  }
  return b;
}

/**
 * C = act(alpha * op(A) . op(B) + bias) [+ C_old], batched. a is [batch, M, K] ([batch, K, M]
 * with transA; [M, K] with broadcastA), b is [batch, K, N] ([batch, N, K] with transB), the
 * result [batch, M, N]. Autograd of Linear (y = x W^T + b, W [out, in]):
 *   y  = matmul(x, W,  { M: rows, N: out, K: in,  transB: true, bias })
 *   dX = matmul(dY, W, { M: rows, N: in,  K: out })
 *   dW = matmul(dY, x, { M: out,  N: in,  K: rows, transA: true, accumulate: dW })
 */
export function matmul(gpu: Gpu, a: GpuBuffer, b: GpuBuffer, opts: MatmulOptions): GpuBuffer {
  const { M, N, K } = opts;
  const batch = opts.batch ?? 1;
  const alpha = opts.alpha ?? 1;
  const act = opts.activation ?? 'none';
  for (const [k, v] of Object.entries({ M, N, K, batch })) {
    check(Number.isInteger(v) && v >= 0, 'matmul', `${k} must be a non-negative integer, got ${v}`);
  }
  check(act in ACTIVATIONS, 'matmul', `unknown activation '${act}'`);
  check(Number.isFinite(alpha), 'matmul', `alpha must be finite, got ${alpha}`);
  checkHolds(a, (opts.broadcastA ? 1 : batch) * M * K, 'matmul', 'A');
  checkHolds(b, (opts.broadcastB ? 1 : batch) * K * N, 'matmul', 'B');
  if (opts.bias) checkHolds(opts.bias, N, 'matmul', 'bias');
  check(!(opts.out && opts.accumulate && opts.out !== opts.accumulate), 'matmul', 'give either out or accumulate (the result goes into accumulate)');
  const shape = `${batch > 1 ? `${batch}x` : ''}${M}x${N}x${K}${opts.transA ? ' transA' : ''}${opts.transB ? ' transB' : ''}`;
  const plan = planMatmul(gpu, opts);
  check(plan.workgroups[0] <= 65535 && plan.workgroups[1] <= 65535 && batch <= 65535, 'matmul', () => `${shape}: too large for one launch (grid ${plan.workgroups.join('x')})`);
  const c = opts.accumulate ?? opts.out ?? gpu.alloc(batch * M * N * 4, `matmul out ${shape}`);
  checkHolds(c, batch * M * N, 'matmul', opts.accumulate ? 'accumulate' : 'out');
  check(c !== a && c !== b, 'matmul', 'the output must not alias A or B');
  const kernel: Kernel = plan.kernel === 'subgroup' ? subgroupVec4 : plan.vec4 ? tiledVec4 : tiledScalar;
  gpu.dispatch(kernel, {
    overrides: plan.overrides,
    params: packParams([
      u(M), u(N), u(K),
      u(opts.broadcastA ? 0 : M * K), u(opts.broadcastB ? 0 : K * N),
      u(opts.transA ? 1 : 0), u(opts.transB ? 1 : 0), f(alpha), u(opts.bias ? 1 : 0), u(opts.accumulate ? 1 : 0), u(ACTIVATIONS[act]),
    ]),
    buffers: [a, b, opts.bias ?? noBias(gpu), c],
    workgroups: plan.workgroups,
    label: `${shape}${opts.bias ? ' +bias' : ''}${act !== 'none' ? ` ${act}` : ''}${opts.accumulate ? ' +=' : ''} ${plan.kernel}${plan.vec4 ? ' vec4' : ''}${plan.checked ? '' : ' aligned'}`,
  });
  return c;
}
