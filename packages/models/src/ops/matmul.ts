import { matmul as matmulKernel, sumToShape as sumToShapeKernel, type Activation, type GpuBuffer } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';
import { isGradEnabled } from '../autograd/grad-mode.ts';
import { gelu, relu } from './elementwise.ts';

/**
 * Matrix products on the matmul kernel. Transposes are flags of the kernel (never
 * materialised), so the backward of each product is two more products with flipped flags.
 */

export interface MatmulArgs {
  /** a is stored [.., K, M] and used transposed */
  transA?: boolean;
  /** b is stored [.., N, K] and used transposed */
  transB?: boolean;
  /** scales the product (default 1) */
  alpha?: number;
}

interface Plan {
  M: number;
  N: number;
  K: number;
  batch: number;
  broadcastA: boolean;
  broadcastB: boolean;
  outShape: number[];
}

function planOf(a: Tensor, b: Tensor, o: MatmulArgs): Plan {
  const what = () => `matmul ${a.describe()} x ${b.describe()}${o.transA ? ' transA' : ''}${o.transB ? ' transB' : ''}`;
  if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new Error(`${what()}: operands must be f32`);
  if (a.rank < 2 || a.rank > 3 || b.rank < 2 || b.rank > 3) throw new Error(`${what()}: operands must be 2-D or 3-D (batched)`);
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [M, K] = o.transA ? [ac, ar] : [ar, ac];
  const [Kb, N] = o.transB ? [bc, br] : [br, bc];
  if (K !== Kb) throw new Error(`${what()}: inner dimensions ${K} and ${Kb} differ`);
  const ba = a.rank === 3 ? a.shape[0] : 0;
  const bb = b.rank === 3 ? b.shape[0] : 0;
  if (ba && bb && ba !== bb) throw new Error(`${what()}: batch sizes ${ba} and ${bb} differ`);
  const batch = Math.max(ba, bb, 1);
  const batched = ba > 0 || bb > 0;
  return { M, N, K, batch, broadcastA: batched && !ba, broadcastB: batched && !bb, outShape: batched ? [batch, M, N] : [M, N] };
}

/** One kernel call on raw buffers (used by forward and backward alike). */
function product(a: GpuBuffer, b: GpuBuffer, p: Omit<Plan, 'outShape'>, o: MatmulArgs & { bias?: GpuBuffer; activation?: Activation }): GpuBuffer {
  return matmulKernel(a.gpu, a, b, { ...p, transA: o.transA, transB: o.transB, alpha: o.alpha, bias: o.bias, activation: o.activation });
}

/** Sums a per-batch-item gradient [batch, r, c] of a broadcast operand down to [r, c]. */
function unbroadcast(g: GpuBuffer, p: Plan, rows: number, cols: number, broadcast: boolean): Tensor {
  const shape = p.outShape.length === 3 ? [p.batch, rows, cols] : [rows, cols];
  if (!broadcast) return Tensor.fromBuffer(g, shape);
  const summed = sumToShapeKernel(g.gpu, g, [p.batch, rows, cols], [rows, cols]);
  g.release();
  return Tensor.fromBuffer(summed, [rows, cols]);
}

/**
 * op(a) . op(b) (times alpha). 2-D x 2-D gives [M, N]; a 3-D operand makes it batched
 * ([batch, M, N]) and a 2-D operand beside it is shared by every batch item.
 */
export function matmul(a: Tensor, b: Tensor, o: MatmulArgs = {}): Tensor {
  const p = planOf(a, b, o);
  const y = Tensor.fromBuffer(product(a.buffer, b.buffer, p, o), p.outShape);
  const alpha = o.alpha ?? 1;
  return record('matmul', [a, b], y, [a, b], (gy, [sa, sb]) => {
    const per = { M: p.M, N: p.N, K: p.K, batch: p.batch };
    // C = op(A) op(B)  =>  d op(A) = dC op(B)^T,  d op(B) = op(A)^T dC; a stored-transposed
    // operand takes the transpose of that, which is again one product with swapped roles.
    let ga: Tensor | null = null;
    if (a.requiresGrad) {
      const g = o.transA
        ? product(sb.buffer, gy.buffer, { ...per, M: p.K, N: p.M, K: p.N, broadcastA: p.broadcastB, broadcastB: false }, { transA: o.transB, transB: true, alpha })
        : product(gy.buffer, sb.buffer, { ...per, M: p.M, N: p.K, K: p.N, broadcastA: false, broadcastB: p.broadcastB }, { transB: !o.transB, alpha });
      ga = unbroadcast(g, p, a.shape[a.rank - 2], a.shape[a.rank - 1], p.broadcastA);
    }
    let gb: Tensor | null = null;
    if (b.requiresGrad) {
      const g = o.transB
        ? product(gy.buffer, sa.buffer, { ...per, M: p.N, N: p.K, K: p.M, broadcastA: false, broadcastB: p.broadcastA }, { transA: true, transB: o.transA, alpha })
        : product(sa.buffer, gy.buffer, { ...per, M: p.K, N: p.N, K: p.M, broadcastA: p.broadcastA, broadcastB: false }, { transA: !o.transA, alpha });
      gb = unbroadcast(g, p, b.shape[b.rank - 2], b.shape[b.rank - 1], p.broadcastB);
    }
    return [ga, gb];
  });
}

/**
 * PyTorch's Linear: y = x W^T + b over the last axis of x ([..., in] -> [..., out]), W [out, in]
 * as PyTorch stores it, the bias added in the kernel's epilogue. `activation` (relu, GELU erf)
 * is fused into the epilogue too when nothing is recorded (inference); when autograd records,
 * it runs as its own op, whose backward needs the pre-activation.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, activation: 'none' | 'relu' | 'gelu' = 'none'): Tensor {
  const recording = isGradEnabled() && [x, weight, bias].some((t) => t?.requiresGrad);
  if (activation !== 'none' && recording) return (activation === 'relu' ? relu : gelu)(linear(x, weight, bias));
  const [out, inF] = weight.shape;
  if (weight.rank !== 2 || x.rank < 1 || x.shape[x.rank - 1] !== inF) throw new Error(`linear: ${x.describe()} does not fit weight ${weight.describe()}`);
  if (bias && (bias.rank !== 1 || bias.size !== out)) throw new Error(`linear: bias ${bias.describe()} must be [${out}]`);
  const rows = x.size / inF;
  const dims = { M: rows, N: out, K: inF, batch: 1, broadcastA: false, broadcastB: false };
  const y = Tensor.fromBuffer(product(x.buffer, weight.buffer, dims, { transB: true, bias: bias?.buffer, activation }), [...x.shape.slice(0, -1), out]);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record('linear', inputs, y, [x, weight], (gy, [sx, sw]) => {
    const gpu = gy.gpu;
    // dX = dY W, dW = dY^T X, db = column sums of dY.
    const gx = x.requiresGrad ? Tensor.fromBuffer(product(gy.buffer, sw.buffer, { ...dims, N: inF, K: out }, {}), x.shape) : null;
    const gw = weight.requiresGrad ? Tensor.fromBuffer(product(gy.buffer, sx.buffer, { ...dims, M: out, N: inF, K: rows }, { transA: true }), weight.shape) : null;
    const gb = bias?.requiresGrad ? Tensor.fromBuffer(sumToShapeKernel(gpu, gy.buffer, [rows, out], [out]), [out]) : null;
    return bias ? [gx, gw, gb] : [gx, gw];
  });
}
