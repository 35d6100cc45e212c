import { conv2d as conv2dKernel, conv2dBackwardInput, conv2dBackwardWeight, sumToShape as sumToShapeKernel, type Conv2dShape } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';

export interface Conv2dArgs {
  /** (sh, sw) or one value for both; default 1 */
  stride?: number | readonly [number, number];
  /** symmetric zero padding; default 0 */
  padding?: number | readonly [number, number];
  /** default 1 */
  dilation?: number | readonly [number, number];
}

function pair(v: number | readonly [number, number] | undefined, d: number): [number, number] {
  return v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/**
 * 2-D convolution, NHWC x [N, H, W, Cin] with HWIO weights w [KH, KW, Cin, Cout] (the GPU
 * layout; PyTorch's OIHW lives only in state dicts) and an optional bias [Cout], fused in the
 * kernel. Gradients: the transposed convolution for x, the implicit-GEMM weight gradient for w,
 * column sums of dy for the bias.
 */
export function conv2d(x: Tensor, w: Tensor, bias: Tensor | null = null, a: Conv2dArgs = {}): Tensor {
  if (x.rank !== 4 || w.rank !== 4 || x.shape[3] !== w.shape[2]) throw new Error(`conv2d: x ${x.describe()} (NHWC) does not fit weight ${w.describe()} (HWIO)`);
  const [n, h, wd, cin] = x.shape;
  const [kh, kw, , cout] = w.shape;
  if (bias && bias.size !== cout) throw new Error(`conv2d: bias ${bias.describe()} must be [${cout}]`);
  const [sh, sw] = pair(a.stride, 1);
  const [ph, pw] = pair(a.padding, 0);
  const [dh, dw] = pair(a.dilation, 1);
  const shape: Conv2dShape = { n, h, w: wd, cin, cout, kh, kw, stride: [sh, sw], pad: [ph, pw], dilation: [dh, dw] };
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((wd + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const y = Tensor.fromBuffer(conv2dKernel(x.gpu, x.buffer, w.buffer, shape, { bias: bias?.buffer }), [n, oh, ow, cout]);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record('conv2d', inputs, y, [x, w], (gy, [sx, sw_]) => {
    const gpu = gy.gpu;
    const gx = x.requiresGrad ? Tensor.fromBuffer(conv2dBackwardInput(gpu, gy.buffer, sw_.buffer, shape), x.shape) : null;
    const gw = w.requiresGrad ? Tensor.fromBuffer(conv2dBackwardWeight(gpu, sx.buffer, gy.buffer, shape), w.shape) : null;
    const gb = bias?.requiresGrad ? Tensor.fromBuffer(sumToShapeKernel(gpu, gy.buffer, [n * oh * ow, cout], [cout]), [cout]) : null;
    return bias ? [gx, gw, gb] : [gx, gw];
  });
}
