// A tiny MLP built from committed ops and the Module base only (no nn layers), for the
// optimizer and training-checkpoint tests: Linear -> ReLU -> LayerNorm -> dropout -> Linear,
// times a learned scale, plus an `aux` bias used on even calls only (so some steps give it
// no gradient and its own step count falls behind the optimizer's).
import type { Gpu } from '@exif-lang/kernels';
import { backward, ops, randu, scope, type Tensor } from '../src/index.ts';
import { Module } from '../src/nn/module.ts';
import { deriveSeed, sample, torchDefault } from '../src/nn/init.ts';
import { tensor } from '../src/tensor/create.ts';

class Head extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(gpu: Gpu, inF: number, outF: number, seed: number) {
    super(gpu);
    this.weight = this.param('weight', tensor(gpu, sample(outF * inF, torchDefault(inF), deriveSeed(seed, 'w')), [outF, inF]));
    this.bias = this.param('bias', tensor(gpu, sample(outF, torchDefault(inF), deriveSeed(seed, 'b')), [outF]));
  }
}

export class TinyMlp extends Module {
  /** dropout-style call counter: checkpoints save it as RNG state */
  calls = 0;
  readonly fc1: Head;
  readonly lnWeight: Tensor;
  readonly lnBias: Tensor;
  readonly fc2: Head;
  readonly scale: Tensor;
  readonly aux: Tensor;

  constructor(gpu: Gpu, readonly dims: { in: number; hidden: number; out: number }, seed: number) {
    super(gpu);
    this.fc1 = this.child('fc1', new Head(gpu, dims.in, dims.hidden, deriveSeed(seed, 'fc1')));
    this.lnWeight = this.param('ln_weight', tensor(gpu, sample(dims.hidden, { kind: 'uniform', bound: 0.2 }, deriveSeed(seed, 'lnw')).map((v) => 1 + v), [dims.hidden]));
    this.lnBias = this.param('ln_bias', tensor(gpu, sample(dims.hidden, { kind: 'uniform', bound: 0.1 }, deriveSeed(seed, 'lnb')), [dims.hidden]));
    this.fc2 = this.child('fc2', new Head(gpu, dims.hidden, dims.out, deriveSeed(seed, 'fc2')));
    this.scale = this.param('scale', tensor(gpu, [1.5], [1]));
    this.aux = this.param('aux', tensor(gpu, sample(dims.out, { kind: 'uniform', bound: 0.1 }, deriveSeed(seed, 'aux')), [dims.out]));
  }

  forward(x: Tensor): Tensor {
    const useAux = this.calls % 2 === 0;
    let h = ops.relu(ops.linear(x, this.fc1.weight, this.fc1.bias));
    h = ops.layerNorm(h, this.lnWeight, this.lnBias);
    h = ops.dropout(h, 0.25, [7, this.calls], this.training);
    this.calls++;
    let y = ops.mul(ops.linear(h, this.fc2.weight, this.fc2.bias), this.scale);
    if (useAux) y = ops.add(y, this.aux);
    return y;
  }

  loss(x: Tensor, target: Tensor): Tensor {
    return ops.meanAll(ops.square(ops.sub(this.forward(x), target)));
  }
}

/** The batch of data-stream position `pos` (deterministic). */
export function batchAt(gpu: Gpu, m: TinyMlp, pos: number, batch = 6): { x: Tensor; y: Tensor } {
  return { x: randu(gpu, [batch, m.dims.in], 1000 + pos), y: randu(gpu, [batch, m.dims.out], 2000 + pos) };
}

/** Forward + backward on batch `pos` (gradients land in the parameters' .grad). */
export function lossAndGrad(m: TinyMlp, pos: number): void {
  scope(() => {
    const { x, y } = batchAt(m.gpu, m, pos);
    backward(m.loss(x, y));
  });
}
