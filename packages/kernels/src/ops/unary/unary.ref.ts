/** float64 reference for unary.wgsl. */
import type { UnaryOp } from './unary.ts';

export function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is only 1.5e-7; use a high-precision series/continued fraction.
  const ax = Math.abs(x);
  if (ax < 3) {
    // Maclaurin series: converges quickly for |x| < 3 in float64.
    let sum = x;
    let term = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction for erfc, accurate for |x| >= 3.
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

export function unaryRef(op: UnaryOp, v: number, a = 0, b = 0): number {
  switch (op) {
    case 'neg': return -v;
    case 'exp': return Math.exp(v);
    case 'log': return Math.log(v);
    case 'sqrt': return Math.sqrt(v);
    case 'relu': return Math.max(v, 0);
    case 'gelu': return 0.5 * v * (1 + erf(v / Math.SQRT2));
    case 'gelu_tanh': return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    case 'tanh': return Math.tanh(v);
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'clamp': return Math.min(Math.max(v, a), b);
    case 'affine': return v * a + b;
    case 'reciprocal': return 1 / v;
    case 'square': return v * v;
    case 'abs': return Math.abs(v);
  }
}
