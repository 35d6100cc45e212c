import type { Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { tensor } from '../tensor/create.ts';
import { conv2d } from '../ops/conv.ts';
import { Module } from '../nn/module.ts';
import { HWIO_LAYOUT } from '../nn/conv2d.ts';

/**
 * A fixed (never trained) high-pass filter in front of the image tower's stem: each RGB channel
 * minus a local mean of itself, i.e. the noise residual that forensic detectors start from
 * (Splicebuster's residuals, SRM filters, Bayar & Stamm's constrained first layer). Why: on
 * ~100 training photos a ResNet fed raw pixels tells photos apart by their content (colour,
 * scene), which says nothing about an unseen host and donor; without the low frequencies it
 * has to use what the camera leaves (noise, demosaicing, JPEG), measured on the photos preset
 * as dev splice p-mAP 0.68 -> 0.78 (docs/experiments/photos-recipe.md).
 *
 * The filter is unpadded (a zero or replicated border would be a residual of its own), so a
 * S x S patch becomes (S - k + 1) x (S - k + 1). It runs as an ordinary k x k conv 3 -> 3 whose
 * weight is diagonal in the channels; the weight is a buffer `prefilter.weight` (OIHW in the
 * state dict like any conv), so a checkpoint carries it and loading rebuilds the same tower.
 */
export const PREFILTERS = ['highpass3', 'highpass5'] as const;
export type PrefilterKind = (typeof PREFILTERS)[number];

/** The residual's gain: the box residual of CLIP-normalised pixels is small, x4 brings it near unit scale. */
export const PREFILTER_GAIN = 4;

export function prefilterKernelSize(kind: PrefilterKind): number {
  return kind === 'highpass5' ? 5 : 3;
}

/** The kind whose kernel has this size (how a checkpoint's `prefilter.weight` [3, 3, k, k] is read back). */
export function prefilterOfKernel(k: number): PrefilterKind {
  const kind = PREFILTERS.find((p) => prefilterKernelSize(p) === k);
  if (!kind) throw new Error(`prefilter: no high-pass filter has a ${k}x${k} kernel (${PREFILTERS.map((p) => `${p}: ${prefilterKernelSize(p)}`).join(', ')})`);
  return kind;
}

/** OIHW [3, 3, k, k]: out channel c = GAIN * (x_c at the centre - mean of x_c over the k x k window). */
export function prefilterWeightOIHW(kind: PrefilterKind): Float32Array {
  const k = prefilterKernelSize(kind);
  const w = new Float32Array(3 * 3 * k * k);
  const centre = (k >> 1) * k + (k >> 1);
  for (let c = 0; c < 3; c++) {
    const base = (c * 3 + c) * k * k;
    for (let t = 0; t < k * k; t++) w[base + t] = (PREFILTER_GAIN * ((t === centre ? 1 : 0) - 1 / (k * k)));
  }
  return w;
}

export class Prefilter extends Module {
  readonly weight: Tensor;
  readonly kernel: number;

  constructor(gpu: Gpu, readonly kind: PrefilterKind) {
    super(gpu);
    const k = prefilterKernelSize(kind);
    this.kernel = k;
    const hwio = [k, k, 3, 3];
    this.weight = this.buffer('weight', tensor(gpu, HWIO_LAYOUT.fromTorch(prefilterWeightOIHW(kind), hwio), hwio), HWIO_LAYOUT);
  }

  /** NHWC [N, S, S, 3] -> [N, S - k + 1, S - k + 1, 3]. */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, null, { padding: 0 });
  }
}
