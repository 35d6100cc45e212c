import type { Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { Module } from './module.ts';

/** A module with a one-tensor forward (what Sequential chains). */
export interface Layer {
  forward(x: Tensor): Tensor;
}

/** Children named '0', '1', ... (PyTorch's nn.Sequential naming), applied in order. */
export class Sequential extends Module {
  readonly layers: (Module & Layer)[];

  constructor(gpu: Gpu, layers: readonly (Module & Layer)[]) {
    super(gpu);
    this.layers = layers.map((m, i) => this.child(String(i), m));
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.layers) h = m.forward(h);
    return h;
  }
}

/** Children named '0', '1', ... without a forward of its own (PyTorch's nn.ModuleList). */
export class ModuleList<M extends Module> extends Module {
  readonly items: M[];

  constructor(gpu: Gpu, items: readonly M[]) {
    super(gpu);
    this.items = items.map((m, i) => this.child(String(i), m));
  }
}
