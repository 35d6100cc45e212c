import { binary, binaryScalar, sumToShape, unary, unaryBackward, UNARY_GRAD_SAVES, type UnaryOp } from '@exif-lang/kernels';
import { Tensor, sameShape } from '../tensor/tensor.ts';
import { record, hooks } from '../autograd/tape.ts';
import { full } from '../tensor/create.ts';

/**
 * Element-wise ops. Each forward is one kernel; each backward sits right below it. Binary ops
 * broadcast like PyTorch, and their backward sums the gradient back to each operand's shape.
 */

function f32(t: Tensor, op: string): void {
  if (t.dtype !== 'f32') throw new Error(`${op}: ${t.describe()} must be f32`);
}

// ----------------------------------------------------------------- unary

function unaryOp(op: UnaryOp, x: Tensor, a = 0, b = 0): Tensor {
  f32(x, op);
  const y = Tensor.fromBuffer(unary(x.gpu, op, x.buffer, x.size, { a, b }), x.shape);
  const saves = UNARY_GRAD_SAVES[op];
  return record(op, [x], y, saves === 'x' ? [x] : saves === 'y' ? [y] : [], (gy, [s]) => {
    const args = saves === 'x' ? { x: s.buffer, a, b } : saves === 'y' ? { y: s.buffer, a, b } : { a, b };
    return [Tensor.fromBuffer(unaryBackward(gy.gpu, op, gy.buffer, gy.size, args), x.shape)];
  });
}

export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
export const log = (x: Tensor): Tensor => unaryOp('log', x);
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);
/** GELU with erf (PyTorch's default, DistilBERT's activation). */
export const gelu = (x: Tensor): Tensor => unaryOp('gelu', x);
export const geluTanh = (x: Tensor): Tensor => unaryOp('gelu_tanh', x);
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
export const reciprocal = (x: Tensor): Tensor => unaryOp('reciprocal', x);
export const square = (x: Tensor): Tensor => unaryOp('square', x);
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
export const clamp = (x: Tensor, min: number, max: number): Tensor => unaryOp('clamp', x, min, max);
/** a * x + b with scalars a, b. */
export const affine = (x: Tensor, a: number, b = 0): Tensor => unaryOp('affine', x, a, b);
export const scale = (x: Tensor, a: number): Tensor => unaryOp('affine', x, a, 0);
export const addScalar = (x: Tensor, c: number): Tensor => unaryOp('affine', x, 1, c);

// ----------------------------------------------------------------- binary

function reduceTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  return Tensor.fromBuffer(sumToShape(g.gpu, g.buffer, g.shape, shape), shape);
}

function bin(op: 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum', a: Tensor, b: Tensor): { out: Tensor } {
  f32(a, op);
  f32(b, op);
  const r = binary(a.gpu, op, a.buffer, a.shape, b.buffer, b.shape);
  return { out: Tensor.fromBuffer(r.out, r.shape) };
}

/** Runs a kernel-level binary op on two tensors without recording (helper for backward passes). */
function raw(op: 'add' | 'sub' | 'mul' | 'div' | 'gt' | 'lt' | 'ge' | 'le' | 'eq', a: Tensor, b: Tensor): Tensor {
  const r = binary(a.gpu, op, a.buffer, a.shape, b.buffer, b.shape);
  return Tensor.fromBuffer(r.out, r.shape);
}

export function add(a: Tensor, b: Tensor): Tensor {
  const { out } = bin('add', a, b);
  return record('add', [a, b], out, [], (gy) => [
    a.requiresGrad ? reduceTo(gy.share(), a.shape) : null,
    b.requiresGrad ? reduceTo(gy.share(), b.shape) : null,
  ]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  const { out } = bin('sub', a, b);
  return record('sub', [a, b], out, [], (gy) => [
    a.requiresGrad ? reduceTo(gy.share(), a.shape) : null,
    b.requiresGrad ? reduceTo(Tensor.fromBuffer(unary(gy.gpu, 'neg', gy.buffer, gy.size), gy.shape), b.shape) : null,
  ]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  const { out } = bin('mul', a, b);
  return record('mul', [a, b], out, [a, b], (gy, [sa, sb]) => [
    a.requiresGrad ? reduceTo(raw('mul', gy, sb), a.shape) : null,
    b.requiresGrad ? reduceTo(raw('mul', gy, sa), b.shape) : null,
  ]);
}

export function div(a: Tensor, b: Tensor): Tensor {
  const { out } = bin('div', a, b);
  return record('div', [a, b], out, [b, out], (gy, [sb, sy]) => [
    // d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b = -y/b
    a.requiresGrad ? reduceTo(raw('div', gy, sb), a.shape) : null,
    b.requiresGrad ? reduceTo(negInPlace(raw('div', raw('mul', gy, sy), sb)), b.shape) : null,
  ]);
}

function negInPlace(t: Tensor): Tensor {
  unary(t.gpu, 'neg', t.buffer, t.size, { out: t.buffer });
  return t;
}

/** max(a, b) element-wise; the gradient goes to a where a >= b, else to b (ties: a). */
export function maximum(a: Tensor, b: Tensor): Tensor {
  const { out } = bin('maximum', a, b);
  return record('maximum', [a, b], out, [a, b], (gy, [sa, sb]) => {
    const ge = raw('ge', sa, sb);
    const ga = raw('mul', gy, ge);
    const gb = raw('sub', gy, ga);
    return [a.requiresGrad ? reduceTo(ga, a.shape) : null, b.requiresGrad ? reduceTo(gb, b.shape) : null];
  });
}

/** min(a, b) element-wise; the gradient goes to a where a <= b, else to b (ties: a). */
export function minimum(a: Tensor, b: Tensor): Tensor {
  const { out } = bin('minimum', a, b);
  return record('minimum', [a, b], out, [a, b], (gy, [sa, sb]) => {
    const le = raw('le', sa, sb);
    const ga = raw('mul', gy, le);
    const gb = raw('sub', gy, ga);
    return [a.requiresGrad ? reduceTo(ga, a.shape) : null, b.requiresGrad ? reduceTo(gb, b.shape) : null];
  });
}

/** x * c for a scalar c (alias of scale). */
export const mulScalar = scale;

/** x ** p for a scalar exponent p (x > 0 where p is not an integer). */
export function powScalar(x: Tensor, p: number): Tensor {
  f32(x, 'pow');
  const y = Tensor.fromBuffer(binaryScalar(x.gpu, 'pow', x.buffer, x.size, p), x.shape);
  return record('pow', [x], y, [x], (gy, [sx]) => {
    // d/dx x^p = p * x^(p-1)
    const d = Tensor.fromBuffer(binaryScalar(gy.gpu, 'pow', sx.buffer, sx.size, p - 1), sx.shape);
    binaryScalar(gy.gpu, 'mul', d.buffer, d.size, p, { out: d.buffer });
    return [raw('mul', gy, d)];
  });
}

hooks.add = (a, b) => raw('add', a, b);
hooks.ones = (like) => full(like.gpu, like.shape, 1);
