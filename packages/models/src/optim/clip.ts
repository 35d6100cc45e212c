import { gradNorm, sumSquares, type Gpu, type GpuBuffer } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';

/**
 * Records the total L2 norm of `grads` and the clip coefficient of
 * torch.nn.utils.clip_grad_norm_ (coef = min(1, maxNorm / (norm + 1e-6))) into a 2-float GPU
 * buffer [norm, coef], without a readback: one sum of squares per tensor written at its own
 * slot, then one kernel combines them. Pass the buffer to the optimizer kernels as
 * `gradScaleBuffer` with index 1 to clip inside the update (the gradients themselves are not
 * modified). maxNorm = Infinity computes the norm only (coef 1). Returns `out` (a new
 * 8-byte buffer, the caller's to release, when not given).
 */
export function recordGradNorm(gpu: Gpu, grads: readonly Tensor[], maxNorm: number, out?: GpuBuffer): GpuBuffer {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be positive, got ${maxNorm}`);
  const live = grads.filter((g) => g.size > 0);
  const sq = gpu.alloc(Math.max(1, live.length) * 4, 'grad sum of squares');
  live.forEach((g, i) => sumSquares(gpu, g.buffer, g.size, { out: sq, outOffset: i }));
  const res = gradNorm(gpu, sq, live.length, maxNorm, out ? { out } : {});
  // Release in program order: a later allocation of this buffer is recorded after the read.
  sq.release();
  return res;
}

/** What a lazily read gradient norm holds. */
export interface GradNormValue {
  /** total L2 norm of the gradients (times the step's gradScale) before clipping */
  norm: number;
  /** the factor the update applied to every gradient (1 when not clipped) */
  coef: number;
}

/**
 * The gradient norm of one optimizer step, read only when asked (a readback: log it every
 * few steps, not every step). It lives in a buffer the optimizer reuses, so read it before
 * the next step; a stale read throws instead of returning another step's value.
 */
export class GradNorm {
  constructor(
    private readonly buf: GpuBuffer,
    /** the optimizer step (0-based) this norm belongs to */
    readonly step: number,
    private readonly current: () => number,
    private readonly normFactor: number,
  ) {}

  async read(): Promise<GradNormValue> {
    if (this.current() !== this.step + 1 || this.buf.isReleased) {
      throw new Error(`GradNorm.read(): the norm of step ${this.step} was overwritten by a later step (read it before the next step)`);
    }
    const [norm, coef] = new Float32Array(await this.buf.gpu.read(this.buf, 0, 8));
    return { norm: norm * this.normFactor, coef };
  }
}
