/** float64 references for reduce.wgsl (plain loops over [outer, axis, inner]). */
import type { ArgReduceOp, ReduceOp } from './reduce.ts';
import { broadcastIndexRef, coordsRef } from '../binary/binary.ref.ts';
import { normalizeAxis, numel } from '../shape.ts';

function view(shape: readonly number[], axis: number): [number, number, number] {
  const ax = normalizeAxis(axis, shape.length, 'reduceRef');
  return [numel(shape.slice(0, ax)), shape[ax], numel(shape.slice(ax + 1))];
}

export function reduceRef(op: ReduceOp, x: ArrayLike<number>, shape: readonly number[], axis: number): Float64Array {
  const [outer, len, inner] = view(shape, axis);
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = op === 'max' ? -Infinity : op === 'min' ? Infinity : 0;
      for (let k = 0; k < len; k++) {
        const v = x[(o * len + k) * inner + j];
        acc = op === 'max' ? Math.max(acc, v) : op === 'min' ? Math.min(acc, v) : acc + v;
      }
      out[o * inner + j] = op === 'mean' ? acc / len : acc;
    }
  }
  return out;
}

/** Indices of the first maximum / minimum along the axis. */
export function argReduceRef(op: ArgReduceOp, x: ArrayLike<number>, shape: readonly number[], axis: number): Uint32Array {
  const [outer, len, inner] = view(shape, axis);
  const out = new Uint32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = 0;
      for (let k = 1; k < len; k++) {
        const v = x[(o * len + k) * inner + j];
        const b = x[(o * len + best) * inner + j];
        if (op === 'argmax' ? v > b : v < b) best = k;
      }
      out[o * inner + j] = best;
    }
  }
  return out;
}

/** Sums x over the dimensions along which `target` broadcasts to `shape`. */
export function sumToShapeRef(x: ArrayLike<number>, shape: readonly number[], target: readonly number[]): Float64Array {
  const out = new Float64Array(numel(target));
  for (let i = 0; i < numel(shape); i++) out[broadcastIndexRef(coordsRef(i, shape), target)] += x[i];
  return out;
}
