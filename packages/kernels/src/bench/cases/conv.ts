import type { Gpu } from '../../runtime/gpu.ts';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight, conv2dGeometry, type Conv2dAlgorithm, type Conv2dShape } from '../../ops/conv2d/conv2d.ts';
import { randNormal } from '../../testing.ts';
import type { BenchCase, BenchRun, PeerRun, Tf } from '../types.ts';

/**
 * conv2d forward and both gradients, beside tfjs-backend-webgpu's Conv2D / Conv2DBackpropInput /
 * Conv2DBackpropFilter kernels. Rates are effective GFLOP/s of the direct convolution
 * (2 * N * OH * OW * Cout * KH * KW * Cin per pass) whatever algorithm runs (Winograd does fewer).
 * Shapes: the 3x3 64->64 conv at 8x56x56 and every distinct conv of ResNet-50 at 124 px, batch 8
 * (stem to 62x62, stages at 31, 16, 8, 4 px; torchvision v1.5: stride 2 in the 3x3 conv and in
 * the 1x1 downsample of each stage's first block).
 */

type Pass = 'forward' | 'dx' | 'dw';

const flops = (s: Conv2dShape): number => {
  const g = conv2dGeometry(s);
  return 2 * g.n * g.oh * g.ow * g.cout * g.kh * g.kw * g.cin;
};

function label(s: Conv2dShape): string {
  const g = conv2dGeometry(s);
  const k = `${g.kh}x${g.kw}${g.sh > 1 ? `/${g.sh}` : ''}`;
  return `${k} ${g.cin}->${g.cout} ${g.n}x${g.h}x${g.w}${g.oh !== g.h ? `->${g.oh}x${g.ow}` : ''}`;
}

function ours(gpu: Gpu, s: Conv2dShape, pass: Pass, algorithm: Conv2dAlgorithm): BenchRun {
  const g = conv2dGeometry(s);
  const x = gpu.upload(randNormal(g.n * g.h * g.w * g.cin, 1), 'bench x');
  const w = gpu.upload(randNormal(g.kh * g.kw * g.cin * g.cout, 2, Math.sqrt(2 / (g.kh * g.kw * g.cin))), 'bench w');
  const dy = gpu.upload(randNormal(g.n * g.oh * g.ow * g.cout, 3), 'bench dy');
  const out = gpu.alloc(4 * (pass === 'forward' ? g.n * g.oh * g.ow * g.cout : pass === 'dx' ? g.n * g.h * g.w * g.cin : g.kh * g.kw * g.cin * g.cout), 'bench out');
  const run =
    pass === 'forward'
      ? () => void conv2d(gpu, x, w, s, { out, algorithm })
      : pass === 'dx'
        ? () => void conv2dBackwardInput(gpu, dy, w, s, { out, algorithm })
        : () => void conv2dBackwardWeight(gpu, x, dy, s, { out });
  return {
    run,
    teardown: () => {
      for (const b of [x, w, dy, out]) b.release();
    },
  };
}

function peer(tf: Tf, s: Conv2dShape, pass: Pass): PeerRun {
  const g = conv2dGeometry(s);
  const x = tf.randomNormal([g.n, g.h, g.w, g.cin]) as Tensor4D;
  const w = tf.randomNormal([g.kh, g.kw, g.cin, g.cout]) as Tensor4D;
  const dy = tf.randomNormal([g.n, g.oh, g.ow, g.cout]) as Tensor4D;
  const strides: [number, number] = [g.sh, g.sw];
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [g.ph, g.ph], [g.pw, g.pw], [0, 0]];
  const dilations: [number, number] = [g.dh, g.dw];
  const run = (): Tensor4D => {
    if (pass === 'forward') return tf.conv2d(x, w, strides, pad, 'NHWC', dilations);
    if (pass === 'dx') {
      return tf.engine().runKernel<Tensor4D>('Conv2DBackpropInput', { dy, filter: w }, { strides, pad, dataFormat: 'NHWC', inputShape: [g.n, g.h, g.w, g.cin] });
    }
    return tf.engine().runKernel<Tensor4D>('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape: [g.kh, g.kw, g.cin, g.cout] });
  };
  return {
    run,
    teardown: () => {
      for (const t of [x, w, dy]) t.dispose();
    },
  };
}

function convCase(s: Conv2dShape, pass: Pass, algorithm: Conv2dAlgorithm = 'auto'): BenchCase {
  const name = `conv2d ${pass}${algorithm === 'auto' ? '' : ` ${algorithm}`}`;
  return {
    name,
    shape: label(s),
    flops: flops(s),
    ours: (gpu) => ours(gpu, s, pass, algorithm),
    // tfjs' backprop kernels take no dilation; every case here is undilated.
    peer: (tf) => peer(tf, s, pass),
  };
}

const n = 8;
const c3 = (h: number, c: number, stride = 1): Conv2dShape => ({ n, h, w: h, cin: c, cout: c, kh: 3, kw: 3, stride, pad: 1 });
const c1 = (h: number, cin: number, cout: number, stride = 1): Conv2dShape => ({ n, h, w: h, cin, cout, kh: 1, kw: 1, stride });

const headline = c3(56, 64);
/** Every distinct convolution of ResNet-50 at 124 px (batch 8), in network order. */
const resnet50: Conv2dShape[] = [
  { n, h: 124, w: 124, cin: 3, cout: 64, kh: 7, kw: 7, stride: 2, pad: 3 },
  // stage 1, 31x31: 64/256
  c1(31, 64, 64), c3(31, 64), c1(31, 64, 256), c1(31, 256, 64),
  // stage 2, 16x16: 128/512 (first block: 3x3 and downsample at stride 2 from 31x31)
  c1(31, 256, 128), c3(31, 128, 2), c1(31, 256, 512, 2), c1(16, 128, 512), c1(16, 512, 128), c3(16, 128),
  // stage 3, 8x8: 256/1024
  c1(16, 512, 256), c3(16, 256, 2), c1(16, 512, 1024, 2), c1(8, 256, 1024), c1(8, 1024, 256), c3(8, 256),
  // stage 4, 4x4: 512/2048
  c1(8, 1024, 512), c3(8, 512, 2), c1(8, 1024, 2048, 2), c1(4, 512, 2048), c1(4, 2048, 512), c3(4, 512),
];

export const cases: BenchCase[] = [
  convCase(headline, 'forward'),
  convCase(headline, 'forward', 'direct'),
  convCase(headline, 'forward', 'winograd2'),
  convCase(headline, 'dx'),
  convCase(headline, 'dx', 'direct'),
  convCase(headline, 'dw'),
  ...resnet50.map((s) => convCase(s, 'forward')),
  // Gradients of one conv of each kind per stage size (the ResNet backward pass in miniature).
  ...[0, 2, 3, 6, 7, 16, 22].map((k) => resnet50[k]).flatMap((s) => [convCase(s, 'dx'), convCase(s, 'dw')]),
];
