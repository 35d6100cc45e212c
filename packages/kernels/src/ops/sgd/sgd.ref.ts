/** float64 reference for sgd.wgsl: torch.optim.SGD single-tensor update, in place. */
export function sgdStepRef(
  param: Float64Array,
  buf: Float64Array,
  grad: ArrayLike<number>,
  o: { lr: number; step: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; gradScale?: number },
): void {
  const { lr, step, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, gradScale = 1 } = o;
  for (let i = 0; i < param.length; i++) {
    let d = grad[i] * gradScale;
    if (weightDecay !== 0) d += weightDecay * param[i];
    if (momentum !== 0) {
      buf[i] = step === 1 ? d : momentum * buf[i] + (1 - dampening) * d;
      d = nesterov ? d + momentum * buf[i] : buf[i];
    }
    param[i] -= lr * d;
  }
}
