/**
 * float64 references for the pooling kernels (plain loops over NHWC). The backward references
 * scatter (loop over windows, add into the input positions), the opposite formulation of the
 * gather kernels, so an index error in either shows up as a mismatch.
 */
import type { Pool2dGeometry } from './pool.ts';

const at = (g: Pool2dGeometry, n: number, h: number, w: number, c: number): number => ((n * g.h + h) * g.w + w) * g.c + c;

/** Calls fn(outputIndex, n, c, ih0, iw0) for every output of the pool, window start (ih0, iw0). */
function eachWindow(g: Pool2dGeometry, fn: (o: number, n: number, c: number, ih0: number, iw0: number) => void): void {
  let o = 0;
  for (let n = 0; n < g.n; n++)
    for (let oh = 0; oh < g.oh; oh++)
      for (let ow = 0; ow < g.ow; ow++)
        for (let c = 0; c < g.c; c++) fn(o++, n, c, oh * g.sh - g.ph, ow * g.sw - g.pw);
}

const inBounds = (g: Pool2dGeometry, ih: number, iw: number): boolean => ih >= 0 && ih < g.h && iw >= 0 && iw < g.w;

/** Max pool: y and the flat input index of the first maximum of each window (padding = -inf). */
export function maxPool2dRef(x: ArrayLike<number>, g: Pool2dGeometry): { y: Float64Array; indices: Uint32Array } {
  const count = g.n * g.oh * g.ow * g.c;
  const y = new Float64Array(count);
  const indices = new Uint32Array(count);
  eachWindow(g, (o, n, c, ih0, iw0) => {
    let best = -Infinity;
    let bestI = -1;
    for (let kh = 0; kh < g.kh; kh++)
      for (let kw = 0; kw < g.kw; kw++) {
        const ih = ih0 + kh;
        const iw = iw0 + kw;
        if (!inBounds(g, ih, iw)) continue;
        const i = at(g, n, ih, iw, c);
        if (bestI < 0 || x[i] > best) {
          best = x[i];
          bestI = i;
        }
      }
    y[o] = best;
    indices[o] = bestI;
  });
  return { y, indices };
}

/** dx of max pool: each dy is added to its window's argmax. */
export function maxPool2dBackwardRef(dy: ArrayLike<number>, indices: ArrayLike<number>, g: Pool2dGeometry): Float64Array {
  const dx = new Float64Array(g.n * g.h * g.w * g.c);
  for (let o = 0; o < dy.length; o++) dx[indices[o]] += dy[o];
  return dx;
}

function divisor(g: Pool2dGeometry, ih0: number, iw0: number, includePad: boolean): number {
  if (includePad) return g.kh * g.kw;
  let d = 0;
  for (let kh = 0; kh < g.kh; kh++) for (let kw = 0; kw < g.kw; kw++) if (inBounds(g, ih0 + kh, iw0 + kw)) d++;
  return d;
}

/** Average pool (PyTorch avg_pool2d, floor mode) with count_include_pad = includePad. */
export function avgPool2dRef(x: ArrayLike<number>, g: Pool2dGeometry, includePad: boolean): Float64Array {
  const y = new Float64Array(g.n * g.oh * g.ow * g.c);
  eachWindow(g, (o, n, c, ih0, iw0) => {
    let s = 0;
    for (let kh = 0; kh < g.kh; kh++)
      for (let kw = 0; kw < g.kw; kw++) if (inBounds(g, ih0 + kh, iw0 + kw)) s += x[at(g, n, ih0 + kh, iw0 + kw, c)];
    y[o] = s / divisor(g, ih0, iw0, includePad);
  });
  return y;
}

/** dx of average pool: each dy / divisor is added to every in-bounds position of its window. */
export function avgPool2dBackwardRef(dy: ArrayLike<number>, g: Pool2dGeometry, includePad: boolean): Float64Array {
  const dx = new Float64Array(g.n * g.h * g.w * g.c);
  eachWindow(g, (o, n, c, ih0, iw0) => {
    const share = dy[o] / divisor(g, ih0, iw0, includePad);
    for (let kh = 0; kh < g.kh; kh++)
      for (let kw = 0; kw < g.kw; kw++) if (inBounds(g, ih0 + kh, iw0 + kw)) dx[at(g, n, ih0 + kh, iw0 + kw, c)] += share;
  });
  return dx;
}

/** Global average pool [N,H,W,C] -> [N,C]. */
export function globalAvgPoolRef(x: ArrayLike<number>, shape: readonly [number, number, number, number]): Float64Array {
  const [n, h, w, c] = shape;
  const y = new Float64Array(n * c);
  for (let b = 0; b < n; b++)
    for (let s = 0; s < h * w; s++) for (let k = 0; k < c; k++) y[b * c + k] += x[(b * h * w + s) * c + k] / (h * w);
  return y;
}

/** dx of the global average pool: dy[n, c] / (H*W) at every position. */
export function globalAvgPoolBackwardRef(dy: ArrayLike<number>, shape: readonly [number, number, number, number]): Float64Array {
  const [n, h, w, c] = shape;
  const dx = new Float64Array(n * h * w * c);
  for (let i = 0; i < dx.length; i++) dx[i] = dy[Math.floor(i / (h * w * c)) * c + (i % c)] / (h * w);
  return dx;
}
