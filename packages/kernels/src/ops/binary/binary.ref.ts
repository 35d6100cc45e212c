/** float64 reference for binary.wgsl: NumPy broadcasting written out with coordinates. */
import type { BinaryOp } from './binary.ts';
import { broadcastShapes, contiguousStrides, numel } from '../shape.ts';

export function binaryOpRef(op: BinaryOp, u: number, v: number): number {
  switch (op) {
    case 'add': return u + v;
    case 'sub': return u - v;
    case 'mul': return u * v;
    case 'div': return u / v;
    case 'pow': return u ** v; // JS ** agrees with torch.pow on reals (negative base, integral exponent)
    case 'maximum': return Math.max(u, v);
    case 'minimum': return Math.min(u, v);
    case 'eq': return u === v ? 1 : 0;
    case 'ne': return u !== v ? 1 : 0;
    case 'lt': return u < v ? 1 : 0;
    case 'le': return u <= v ? 1 : 0;
    case 'gt': return u > v ? 1 : 0;
    case 'ge': return u >= v ? 1 : 0;
  }
}

/** Flat index into a tensor of `shape` for output coordinates `coord` (right-aligned, size-1 dims stretch). */
export function broadcastIndexRef(coord: readonly number[], shape: readonly number[]): number {
  const off = coord.length - shape.length;
  let idx = 0;
  for (let k = 0; k < shape.length; k++) idx = idx * shape[k] + (shape[k] === 1 ? 0 : coord[k + off]);
  return idx;
}

/** Coordinates of flat index `i` in a row-major tensor of `shape`. */
export function coordsRef(i: number, shape: readonly number[]): number[] {
  const strides = contiguousStrides(shape);
  return shape.map((d, k) => Math.floor(i / strides[k]) % d);
}

export function binaryRef(
  op: BinaryOp,
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
): { out: Float64Array; shape: number[] } {
  const shape = broadcastShapes(aShape, bShape, 'binaryRef');
  const out = new Float64Array(numel(shape));
  for (let i = 0; i < out.length; i++) {
    const c = coordsRef(i, shape);
    out[i] = binaryOpRef(op, a[broadcastIndexRef(c, aShape)], b[broadcastIndexRef(c, bShape)]);
  }
  return { out, shape };
}
