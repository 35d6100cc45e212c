import type { Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { tensor } from '../tensor/create.ts';
import { conv2d, type Conv2dArgs } from '../ops/conv.ts';
import { Module, type Layout } from './module.ts';
import { deriveSeed, kaimingNormalFanOut, sample, torchDefault } from './init.ts';

/** out[perm-ordered index] = data: moves a row-major 4-D array so output axis k is input axis perm[k]. */
function permute4(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  const os = perm.map((p) => shape[p]);
  const st = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const s = perm.map((p) => st[p]);
  let o = 0;
  for (let a = 0; a < os[0]; a++)
    for (let b = 0; b < os[1]; b++)
      for (let c = 0; c < os[2]; c++)
        for (let d = 0; d < os[3]; d++) out[o++] = data[a * s[0] + b * s[1] + c * s[2] + d * s[3]];
  return out;
}

/** Conv weights: HWIO [KH, KW, Cin, Cout] on the GPU, OIHW [Cout, Cin, KH, KW] in state dicts. */
export const HWIO_LAYOUT: Layout = {
  torchShape: ([kh, kw, cin, cout]) => [cout, cin, kh, kw],
  toTorch: (data, [kh, kw, cin, cout]) => permute4(data, [kh, kw, cin, cout], [3, 2, 0, 1]),
  fromTorch: (data, [kh, kw, cin, cout]) => permute4(data, [cout, cin, kh, kw], [2, 3, 1, 0]),
};

export interface Conv2dOptions extends Conv2dArgs {
  /** default false (every ResNet conv is followed by BN) */
  bias?: boolean;
  seed?: number;
  /** 'kaiming_fan_out': torchvision ResNet's; 'torch': nn.Conv2d's default. Default 'torch'. */
  init?: 'torch' | 'kaiming_fan_out';
}

/** Conv2d over NHWC activations, PyTorch names (weight, bias) and layout in state dicts. */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly args: Conv2dArgs;

  constructor(gpu: Gpu, readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number | readonly [number, number], opts: Conv2dOptions = {}) {
    super(gpu);
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    const seed = opts.seed ?? 0;
    const fanIn = inChannels * kh * kw;
    const spec = opts.init === 'kaiming_fan_out' ? kaimingNormalFanOut(outChannels * kh * kw) : torchDefault(fanIn);
    // Drawn in PyTorch's OIHW order, so a seed means the same state dict whatever the GPU layout.
    const hwio = [kh, kw, inChannels, outChannels];
    const w = HWIO_LAYOUT.fromTorch(sample(outChannels * fanIn, spec, deriveSeed(seed, 'weight')), hwio);
    this.weight = this.param('weight', tensor(gpu, w, hwio), HWIO_LAYOUT);
    this.bias = opts.bias ? this.param('bias', tensor(gpu, sample(outChannels, torchDefault(fanIn), deriveSeed(seed, 'bias')), [outChannels])) : null;
    this.args = { stride: opts.stride, padding: opts.padding, dilation: opts.dilation };
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.args);
  }
}
