import type { Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { add, relu } from '../ops/elementwise.ts';
import { globalAvgPool, maxPool2d } from '../ops/pool.ts';
import { Module } from '../nn/module.ts';
import { Conv2d } from '../nn/conv2d.ts';
import { BatchNorm2d } from '../nn/batchnorm.ts';
import { Linear } from '../nn/linear.ts';
import { ModuleList } from '../nn/sequential.ts';
import { deriveSeed } from '../nn/init.ts';
import { Prefilter, type PrefilterKind } from './prefilter.ts';

/**
 * torchvision's ResNet (v1.5: the stride sits on the bottleneck's 3x3 conv) over NHWC images,
 * with any depth and widths, ending in a Linear to the embedding size. Parameter names are
 * torchvision's (conv1, bn1, layer{1..4}.{b}.conv1/bn1/..., downsample.0/1, fc), so its state
 * dict is canonical.ts's `image.*` without the prefix.
 */
export interface ResNetConfig {
  block: 'basic' | 'bottleneck';
  /** blocks per stage, e.g. [3, 4, 6, 3] */
  layers: readonly number[];
  /** stem conv channels (64) */
  stem: number;
  /** planes per stage (64, 128, 256, 512); bottlenecks output 4x */
  widths: readonly number[];
  /** fc output size: the embedding size (768 in the paper) */
  embed: number;
  /** a fixed high-pass filter before the stem (prefilter.ts); absent: raw pixels, as torchvision */
  prefilter?: PrefilterKind | null;
  seed?: number;
}

const EXPANSION = { basic: 1, bottleneck: 4 } as const;

function conv(gpu: Gpu, seed: number, name: string, cin: number, cout: number, k: number, stride = 1): Conv2d {
  return new Conv2d(gpu, cin, cout, k, { stride, padding: (k - 1) >> 1, seed: deriveSeed(seed, name), init: 'kaiming_fan_out' });
}

/** downsample = Sequential(conv1x1 stride s, BN), named `downsample.0` / `downsample.1`. */
class Downsample extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;

  constructor(gpu: Gpu, seed: number, cin: number, cout: number, stride: number) {
    super(gpu);
    this.conv = this.child('0', conv(gpu, seed, '0', cin, cout, 1, stride));
    this.bn = this.child('1', new BatchNorm2d(gpu, cout));
  }

  forward(x: Tensor): Tensor {
    return this.bn.forward(this.conv.forward(x));
  }
}

/** conv3x3-BN-ReLU-conv3x3-BN, + shortcut, ReLU. */
export class BasicBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Downsample | null;

  constructor(gpu: Gpu, seed: number, cin: number, planes: number, stride: number) {
    super(gpu);
    this.conv1 = this.child('conv1', conv(gpu, seed, 'conv1', cin, planes, 3, stride));
    this.bn1 = this.child('bn1', new BatchNorm2d(gpu, planes));
    this.conv2 = this.child('conv2', conv(gpu, seed, 'conv2', planes, planes, 3));
    this.bn2 = this.child('bn2', new BatchNorm2d(gpu, planes));
    this.downsample = stride !== 1 || cin !== planes ? this.child('downsample', new Downsample(gpu, deriveSeed(seed, 'downsample'), cin, planes, stride)) : null;
  }

  forward(x: Tensor): Tensor {
    const h = this.bn2.forward(this.conv2.forward(this.bn1.forward(this.conv1.forward(x), true)));
    return relu(add(h, this.downsample ? this.downsample.forward(x) : x));
  }
}

/** conv1x1-BN-ReLU-conv3x3(stride)-BN-ReLU-conv1x1(4x)-BN, + shortcut, ReLU. */
export class Bottleneck extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly downsample: Downsample | null;

  constructor(gpu: Gpu, seed: number, cin: number, planes: number, stride: number) {
    super(gpu);
    const out = planes * EXPANSION.bottleneck;
    this.conv1 = this.child('conv1', conv(gpu, seed, 'conv1', cin, planes, 1));
    this.bn1 = this.child('bn1', new BatchNorm2d(gpu, planes));
    this.conv2 = this.child('conv2', conv(gpu, seed, 'conv2', planes, planes, 3, stride));
    this.bn2 = this.child('bn2', new BatchNorm2d(gpu, planes));
    this.conv3 = this.child('conv3', conv(gpu, seed, 'conv3', planes, out, 1));
    this.bn3 = this.child('bn3', new BatchNorm2d(gpu, out));
    this.downsample = stride !== 1 || cin !== out ? this.child('downsample', new Downsample(gpu, deriveSeed(seed, 'downsample'), cin, out, stride)) : null;
  }

  forward(x: Tensor): Tensor {
    const a = this.bn1.forward(this.conv1.forward(x), true);
    const b = this.bn2.forward(this.conv2.forward(a), true);
    const h = this.bn3.forward(this.conv3.forward(b));
    return relu(add(h, this.downsample ? this.downsample.forward(x) : x));
  }
}

export type ResidualBlock = BasicBlock | Bottleneck;

export class ResNet extends Module {
  readonly prefilter: Prefilter | null;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly stages: ModuleList<ResidualBlock>[];
  readonly fc: Linear;
  /** channels entering fc */
  readonly features: number;

  constructor(gpu: Gpu, readonly config: ResNetConfig) {
    super(gpu);
    const { block, layers, stem, widths, embed } = config;
    if (layers.length !== widths.length || layers.length === 0) throw new Error(`ResNet: ${layers.length} stages of blocks but ${widths.length} widths`);
    const seed = config.seed ?? 0;
    this.prefilter = config.prefilter ? this.child('prefilter', new Prefilter(gpu, config.prefilter)) : null;
    this.conv1 = this.child('conv1', new Conv2d(gpu, 3, stem, 7, { stride: 2, padding: 3, seed: deriveSeed(seed, 'conv1'), init: 'kaiming_fan_out' }));
    this.bn1 = this.child('bn1', new BatchNorm2d(gpu, stem));
    let cin = stem;
    this.stages = layers.map((count, s) => {
      const name = `layer${s + 1}`;
      const blocks: ResidualBlock[] = [];
      for (let b = 0; b < count; b++) {
        const stride = s > 0 && b === 0 ? 2 : 1;
        const bseed = deriveSeed(seed, `${name}.${b}`);
        blocks.push(block === 'bottleneck' ? new Bottleneck(gpu, bseed, cin, widths[s], stride) : new BasicBlock(gpu, bseed, cin, widths[s], stride));
        cin = widths[s] * EXPANSION[block];
      }
      return this.child(name, new ModuleList(gpu, blocks));
    });
    this.features = cin;
    // torchvision leaves fc at nn.Linear's default initialisation.
    this.fc = this.child('fc', new Linear(gpu, cin, embed, { seed: deriveSeed(seed, 'fc') }));
  }

  get embedDim(): number {
    return this.config.embed;
  }

  /** Pooled features [N, features] of NHWC images [N, H, W, 3]. */
  features2d(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`ResNet: images must be NHWC [N, H, W, 3], got ${x.describe()}`);
    const input = this.prefilter ? this.prefilter.forward(x) : x;
    let h = maxPool2d(this.bn1.forward(this.conv1.forward(input), true), { kernel: 3, stride: 2, padding: 1 });
    for (const stage of this.stages) for (const b of stage.items) h = b.forward(h);
    return globalAvgPool(h);
  }

  /** Image embedding [N, embed]. */
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.features2d(x));
  }
}

/** torchvision's standard depths with a width multiplier on every stage (and the stem). */
export function resnetConfig(name: 'resnet18' | 'resnet34' | 'resnet50', embed: number, widthMultiplier = 1): ResNetConfig {
  const layers = { resnet18: [2, 2, 2, 2], resnet34: [3, 4, 6, 3], resnet50: [3, 4, 6, 3] }[name];
  const scale = (c: number) => Math.max(1, Math.round(c * widthMultiplier));
  return { block: name === 'resnet50' ? 'bottleneck' : 'basic', layers, stem: scale(64), widths: [64, 128, 256, 512].map(scale), embed };
}
