/** float64 reference for adam.wgsl: torch.optim.Adam / AdamW single-tensor update, in place. */
export interface AdamRefState {
  param: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

export function adamStepRef(
  s: AdamRefState,
  grad: ArrayLike<number>,
  o: { lr: number; step: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number; decoupled?: boolean; gradScale?: number },
): void {
  const { lr, step, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, decoupled = false, gradScale = 1 } = o;
  const wd = o.weightDecay ?? (decoupled ? 0.01 : 0);
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  for (let i = 0; i < s.param.length; i++) {
    let g = grad[i] * gradScale;
    if (wd !== 0) {
      if (decoupled) s.param[i] *= 1 - lr * wd;
      else g += wd * s.param[i];
    }
    s.m[i] = beta1 * s.m[i] + (1 - beta1) * g;
    s.v[i] = beta2 * s.v[i] + (1 - beta2) * g * g;
    s.param[i] -= (lr / bc1) * (s.m[i] / (Math.sqrt(s.v[i]) / Math.sqrt(bc2) + eps));
  }
}
