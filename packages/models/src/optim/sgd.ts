import { sgdStep, type GpuBuffer, type GradScaleOptions } from '@exif-lang/kernels';
import { Optimizer, type OptimizerOptions, type ParamSlot } from './optimizer.ts';
import type { ParamGroupSpec, ParamSource } from './params.ts';

export interface SgdOptions extends OptimizerOptions {
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
}

/**
 * torch.optim.SGD: optional L2 weight decay, momentum (buffer = gradient on a parameter's
 * first update, then momentum * buffer + (1 - dampening) * gradient) and Nesterov.
 * State per parameter: the momentum buffer (none without momentum).
 */
export class SGD extends Optimizer {
  readonly kind = 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;

  constructor(params: ParamSource | readonly ParamGroupSpec[], opts: SgdOptions) {
    super(params, opts);
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.nesterov = opts.nesterov ?? false;
    if (!(this.momentum >= 0 && Number.isFinite(this.momentum))) throw new Error(`SGD: momentum must be >= 0, got ${this.momentum}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('SGD: nesterov needs momentum > 0 and dampening 0');
  }

  protected stateKeys(): readonly string[] {
    return this.momentum > 0 ? ['momentum'] : [];
  }

  protected hyper(): Record<string, number | boolean> {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov };
  }

  protected update(slot: ParamSlot, grad: GpuBuffer, scale: GradScaleOptions): void {
    const p = slot.param;
    sgdStep(this.gpu, p.buffer, grad, slot.state.get('momentum') ?? null, p.size, {
      ...scale,
      lr: slot.group.lr,
      step: slot.step,
      momentum: this.momentum,
      dampening: this.dampening,
      weightDecay: slot.group.weightDecay,
      nesterov: this.nesterov,
    });
  }
}
