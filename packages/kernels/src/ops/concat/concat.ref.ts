/** float64 reference for concat: element by element through [outer, axis, inner] views. */
import { numel } from '../shape.ts';

export function concatRef(xs: readonly ArrayLike<number>[], shapes: readonly (readonly number[])[], axis: number): Float64Array {
  const ax = axis < 0 ? axis + shapes[0].length : axis;
  const outer = numel(shapes[0].slice(0, ax));
  const inner = numel(shapes[0].slice(ax + 1));
  const total = shapes.reduce((acc, s) => acc + s[ax], 0);
  const out = new Float64Array(outer * total * inner);
  let offset = 0;
  xs.forEach((x, i) => {
    const len = shapes[i][ax];
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < len; k++) {
        for (let j = 0; j < inner; j++) out[(o * total + offset + k) * inner + j] = x[(o * len + k) * inner + j];
      }
    }
    offset += len;
  });
  return out;
}
