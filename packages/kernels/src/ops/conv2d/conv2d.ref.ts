/**
 * float64 references for the conv2d kernels: plain loops over the definition, NHWC activations,
 * HWIO weights. Used by the tests only.
 */
import { conv2dGeometry, type Conv2dGeometry, type Conv2dShape } from './conv2d_common.ts';

/**
 * Visits every (output pixel, tap) pair whose input pixel lies inside the image (padding
 * contributes nothing): `xp`, `yp` are the element offsets of channel 0 of the input and output
 * pixel, `tap` = ky * KW + kx. Input pixel (iy, ix) = (oy*sh - ph + ky*dh, ox*sw - pw + kx*dw).
 */
function forEachTap(g: Conv2dGeometry, visit: (xp: number, yp: number, tap: number) => void): void {
  for (let n = 0; n < g.n; n++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++)
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.sh - g.ph + ky * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.sw - g.pw + kx * g.dw;
            if (ix < 0 || ix >= g.w) continue;
            visit(((n * g.h + iy) * g.w + ix) * g.cin, ((n * g.oh + oy) * g.ow + ox) * g.cout, ky * g.kw + kx);
          }
        }
}

/** y[n, oy, ox, co] = bias[co] + sum x[n, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw, ci] * w[ky, kx, ci, co], then ReLU if asked. */
export function conv2dRef(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  shape: Conv2dShape,
  opts: { bias?: ArrayLike<number>; activation?: 'none' | 'relu' } = {},
): Float64Array {
  const g = conv2dGeometry(shape);
  const y = new Float64Array(g.n * g.oh * g.ow * g.cout);
  forEachTap(g, (xp, yp, tap) => {
    for (let ci = 0; ci < g.cin; ci++) {
      const row = (tap * g.cin + ci) * g.cout;
      for (let co = 0; co < g.cout; co++) y[yp + co] += x[xp + ci] * w[row + co];
    }
  });
  for (let k = 0; k < y.length; k++) {
    const v = y[k] + (opts.bias ? opts.bias[k % g.cout] : 0);
    y[k] = opts.activation === 'relu' ? Math.max(v, 0) : v;
  }
  return y;
}

/** dx = d(sum y * dy)/dx for y = conv2d(x, w) (no bias/activation): scatter of dy through the weights. */
export function conv2dBackwardInputRef(dy: ArrayLike<number>, w: ArrayLike<number>, shape: Conv2dShape): Float64Array {
  const g = conv2dGeometry(shape);
  const dx = new Float64Array(g.n * g.h * g.w * g.cin);
  forEachTap(g, (xp, yp, tap) => {
    for (let ci = 0; ci < g.cin; ci++) {
      const row = (tap * g.cin + ci) * g.cout;
      for (let co = 0; co < g.cout; co++) dx[xp + ci] += dy[yp + co] * w[row + co];
    }
  });
  return dx;
}

/** dw = d(sum y * dy)/dw for y = conv2d(x, w): correlation of the input with dy. */
export function conv2dBackwardWeightRef(x: ArrayLike<number>, dy: ArrayLike<number>, shape: Conv2dShape): Float64Array {
  const g = conv2dGeometry(shape);
  const dw = new Float64Array(g.kh * g.kw * g.cin * g.cout);
  forEachTap(g, (xp, yp, tap) => {
    for (let ci = 0; ci < g.cin; ci++) {
      const row = (tap * g.cin + ci) * g.cout;
      for (let co = 0; co < g.cout; co++) dw[row + co] += x[xp + ci] * dy[yp + co];
    }
  });
  return dw;
}
