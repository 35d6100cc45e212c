import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';
import { resolveGradScale, type GradScaleOptions } from '../grad_norm/grad_norm.ts';

const kernel = kernelFromFile('sgd', 'ops/sgd/', './sgd.wgsl');
const kernelPlain = kernelFromFile('sgd_plain', 'ops/sgd/', './sgd.wgsl', 'main_plain');

export interface SgdOptions extends GradScaleOptions {
  lr: number;
  /** 1-based step count: on step 1 the momentum buffer is initialised to the gradient */
  step: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * One torch.optim.SGD update of `n` parameters in place. With momentum > 0, `buf` is the
 * momentum buffer (its content is ignored on step 1); without, pass null.
 */
export function sgdStep(gpu: Gpu, param: GpuBuffer, grad: GpuBuffer, buf: GpuBuffer | null, n: number, opts: SgdOptions): void {
  const name = 'sgd';
  const { lr, step, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = opts;
  check(Number.isInteger(n) && n >= 0, name, `bad length ${n}`);
  check(Number.isInteger(step) && step >= 1, name, `step must be an integer >= 1, got ${step}`);
  check(lr >= 0 && momentum >= 0 && weightDecay >= 0, name, `lr ${lr}, momentum ${momentum}, weightDecay ${weightDecay} must be >= 0`);
  check(!nesterov || (momentum > 0 && dampening === 0), name, 'nesterov needs momentum > 0 and dampening 0');
  check(momentum === 0 || buf !== null, name, 'momentum needs a buffer');
  checkHolds(param, n, name, 'param');
  checkHolds(grad, n, name, 'grad');
  if (buf) checkHolds(buf, n, name, 'momentum buffer');
  check(param !== grad && buf !== param && buf !== grad, name, 'param, grad and buf must be distinct buffers');
  const s = resolveGradScale(gpu, name, opts);
  check(s.buffer !== param && s.buffer !== grad && s.buffer !== buf, name, 'gradScaleBuffer must be a separate buffer');
  const withMomentum = momentum > 0;
  gpu.dispatch(withMomentum ? kernel : kernelPlain, {
    overrides: withMomentum ? { NESTEROV: nesterov ? 1 : 0 } : undefined,
    params: packParams([u(n), f(lr), f(momentum), f(dampening), f(weightDecay), u(step === 1 ? 1 : 0), f(s.factor), u(s.index)]),
    buffers: withMomentum && buf ? [param, grad, s.buffer, buf] : [param, grad, s.buffer],
    workgroups: grid(Math.ceil(n / 256)),
    label: `n=${n} t=${step} lr=${lr}${withMomentum ? ` momentum=${momentum}${nesterov ? ' nesterov' : ''}` : ''}`,
  });
}
