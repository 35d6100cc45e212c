/** float64 reference for grad_norm.wgsl (torch.nn.utils.clip_grad_norm_). */
export function gradNormRef(grads: readonly ArrayLike<number>[], maxNorm: number): { norm: number; coef: number } {
  let total = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) total += g[i] * g[i];
  const norm = Math.sqrt(total);
  return { norm, coef: Math.min(1, maxNorm / (norm + 1e-6)) };
}
