import { adamStep, type GpuBuffer, type GradScaleOptions } from '@exif-lang/kernels';
import { Optimizer, type OptimizerOptions, type ParamSlot } from './optimizer.ts';
import type { ParamGroupSpec, ParamSource } from './params.ts';

export interface AdamOptions extends OptimizerOptions {
  /** default (0.9, 0.999), PyTorch's; the paper uses (0.9, 0.98) */
  betas?: readonly [number, number];
  /** default 1e-8, PyTorch's; the paper uses 1e-6 */
  eps?: number;
}

/**
 * torch.optim.Adam (amsgrad off): weight decay is an L2 term added to the gradient, as the
 * official training used it (Adam, lr 1e-4, betas (0.9, 0.98), eps 1e-6, weight decay 1e-4).
 * State per parameter: m (exp_avg) and v (exp_avg_sq), on the GPU.
 */
export class Adam extends Optimizer {
  readonly kind: 'adam' | 'adamw' = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  protected readonly decoupled: boolean = false;

  constructor(params: ParamSource | readonly ParamGroupSpec[], opts: AdamOptions) {
    super(params, opts);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    if (!(this.beta1 >= 0 && this.beta1 < 1 && this.beta2 >= 0 && this.beta2 < 1)) throw new Error(`Adam: betas (${this.beta1}, ${this.beta2}) must be in [0, 1)`);
    if (!(this.eps >= 0)) throw new Error(`Adam: eps must be >= 0, got ${this.eps}`);
  }

  protected stateKeys(): readonly string[] {
    return ['m', 'v'];
  }

  protected hyper(): Record<string, number | boolean> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps };
  }

  protected update(slot: ParamSlot, grad: GpuBuffer, scale: GradScaleOptions): void {
    const p = slot.param;
    adamStep(this.gpu, p.buffer, grad, slot.state.get('m')!, slot.state.get('v')!, p.size, {
      ...scale,
      lr: slot.group.lr,
      step: slot.step,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      weightDecay: slot.group.weightDecay,
      decoupled: this.decoupled,
    });
  }
}

/**
 * torch.optim.AdamW: decoupled weight decay (w *= 1 - lr * weight_decay before the Adam
 * update). Default weight decay 0.01, as PyTorch.
 */
export class AdamW extends Adam {
  override readonly kind = 'adamw';
  protected override readonly decoupled = true;

  constructor(params: ParamSource | readonly ParamGroupSpec[], opts: AdamOptions) {
    super(params, { ...opts, weightDecay: opts.weightDecay ?? 0.01 });
  }
}
