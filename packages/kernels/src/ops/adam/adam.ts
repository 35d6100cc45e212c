import { grid, type Gpu } from '../../runtime/gpu.ts';
import type { GpuBuffer } from '../../runtime/buffer.ts';
import { kernelFromFile, kernelFromSource } from '../../runtime/kernel.ts';
import { packParams, u, f } from '../../runtime/params.ts';
import { check } from '../../runtime/errors.ts';
import { checkHolds } from '../shape.ts';
import { resolveGradScale, type GradScaleOptions } from '../grad_norm/grad_norm.ts';

const kernel = kernelFromFile('adam', 'ops/adam/', './adam.wgsl');
const ELEM = 'alias Elem = f32;';
if (!kernel.code.includes(ELEM)) throw new Error(`adam.wgsl: expected the line '${ELEM}'`);
/** The same kernel on vec4<f32> elements, for n a multiple of 4. */
const kernelVec4 = kernelFromSource('adam_vec4', kernel.code.replace(ELEM, 'alias Elem = vec4<f32>;'));

export interface AdamOptions extends GradScaleOptions {
  lr: number;
  /** 1-based step count after this update (PyTorch's state['step']) */
  step: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** L2 penalty (Adam) or decoupled decay (AdamW); defaults as PyTorch: 0 / 0.01 */
  weightDecay?: number;
  /** AdamW: decoupled weight decay */
  decoupled?: boolean;
}

/**
 * One fused Adam (or AdamW with `decoupled`) update of `n` parameters in place: param, m
 * (exp_avg) and v (exp_avg_sq) are updated from grad. Defaults are PyTorch's (betas 0.9, 0.999,
 * eps 1e-8). m and v start as zeros. The gradient is multiplied by gradScale (and the value in
 * gradScaleBuffer, e.g. gradNorm's clip coefficient) first; grad itself is not modified.
 */
export function adamStep(gpu: Gpu, param: GpuBuffer, grad: GpuBuffer, m: GpuBuffer, v: GpuBuffer, n: number, opts: AdamOptions): void {
  const name = opts.decoupled ? 'adamw' : 'adam';
  const { lr, step, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = opts;
  const wd = opts.weightDecay ?? (opts.decoupled ? 0.01 : 0);
  check(Number.isInteger(n) && n >= 0, name, `bad length ${n}`);
  check(Number.isInteger(step) && step >= 1, name, `step must be an integer >= 1, got ${step}`);
  check(lr >= 0 && eps >= 0 && wd >= 0, name, `lr ${lr}, eps ${eps}, weightDecay ${wd} must be >= 0`);
  check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, name, `betas (${beta1}, ${beta2}) must be in [0, 1)`);
  for (const [what, b] of [['param', param], ['grad', grad], ['m', m], ['v', v]] as const) checkHolds(b, n, name, what);
  check(new Set([param, grad, m, v]).size === 4, name, 'param, grad, m and v must be distinct buffers');
  const s = resolveGradScale(gpu, name, opts);
  check(![param, grad, m, v].includes(s.buffer), name, 'gradScaleBuffer must be a separate buffer');
  // Bias corrections in float64 on the host, rounded once to f32.
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  const lanes = n % 4 === 0 ? 4 : 1;
  gpu.dispatch(lanes === 4 ? kernelVec4 : kernel, {
    overrides: { DECOUPLED: opts.decoupled ? 1 : 0 },
    params: packParams([
      u(n / lanes), f(beta1), f(1 - beta1), f(beta2), f(1 - beta2), f(eps), f(wd), f(1 - lr * wd), f(lr / bc1), f(Math.sqrt(bc2)),
      f(s.factor), u(s.index),
    ]),
    buffers: [param, grad, m, v, s.buffer],
    workgroups: grid(Math.ceil(n / lanes / 256)),
    label: `n=${n} t=${step} lr=${lr}`,
  });
}
