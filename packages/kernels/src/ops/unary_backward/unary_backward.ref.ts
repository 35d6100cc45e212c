/**
 * float64 reference for unary_backward.wgsl: the analytic derivative of each op at x, times dy
 * (independent of which tensor the kernel saves).
 */
import type { UnaryOp } from '../unary/unary.ts';
import { erf } from '../unary/unary.ref.ts';

export function unaryGradRef(op: UnaryOp, x: number, dy: number, a = 0, b = 0): number {
  switch (op) {
    case 'neg': return -dy;
    case 'exp': return dy * Math.exp(x);
    case 'log': return dy / x;
    case 'sqrt': return dy / (2 * Math.sqrt(x));
    case 'relu': return x > 0 ? dy : 0;
    case 'gelu': {
      const cdf = 0.5 * (1 + erf(x / Math.SQRT2));
      const pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
      return dy * (cdf + x * pdf);
    }
    case 'gelu_tanh': {
      const k = Math.sqrt(2 / Math.PI);
      const th = Math.tanh(k * (x + 0.044715 * x ** 3));
      return dy * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * k * (1 + 3 * 0.044715 * x * x));
    }
    case 'tanh': return dy * (1 - Math.tanh(x) ** 2);
    case 'sigmoid': {
      const s = 1 / (1 + Math.exp(-x));
      return dy * s * (1 - s);
    }
    case 'clamp': return x >= a && x <= b ? dy : 0;
    case 'affine': return dy * a;
    case 'reciprocal': return -dy / (x * x);
    case 'square': return 2 * x * dy;
    case 'abs': return dy * Math.sign(x);
  }
}
