import type { Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { dropout } from '../ops/dropout.ts';
import { Module } from './module.ts';

/**
 * Inverted dropout, active only in training. Call k of this layer uses the mask keyed by
 * (seed, k): deterministic for a given seed, different on every call. `calls` is public so a
 * training loop can replay a forward with the same masks (gradient caching recomputes the
 * forward pass): save it before, restore it before the replay.
 */
export class Dropout extends Module {
  calls = 0;

  constructor(gpu: Gpu, readonly p: number, readonly seed = 0) {
    super(gpu);
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: p ${p} is not in [0, 1]`);
  }

  forward(x: Tensor): Tensor {
    const active = this.training && this.p > 0;
    const y = dropout(x, this.p, [this.seed >>> 0, this.calls >>> 0], active);
    if (active) this.calls++;
    return y;
  }

  /**
   * For ops that apply this layer's dropout themselves (fused attention): the seed of the next
   * call, counted as a call, or null when the layer is inactive (eval mode or p = 0).
   */
  nextSeed(): [number, number] | null {
    if (!(this.training && this.p > 0)) return null;
    return [this.seed >>> 0, this.calls++ >>> 0];
  }
}
