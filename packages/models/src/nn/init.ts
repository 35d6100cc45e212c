import { testing } from '@exif-lang/kernels';

/**
 * Deterministic parameter initialisation, as PyTorch / torchvision / Hugging Face do it, from
 * an integer seed. Each parameter's values come from its own seed, derived from the model seed
 * and the parameter's state-dict name (`deriveSeed`), so a model is reproducible and adding a
 * layer does not reshuffle the others.
 */

/** FNV-1a of `name` mixed with `seed`: a u32 seed per named parameter. */
export function deriveSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // A final avalanche so names that differ in their last character give unrelated seeds.
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  return h >>> 0;
}

/** How a weight is drawn. fanIn / fanOut are PyTorch's (_calculate_fan_in_and_fan_out). */
export type InitSpec =
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; bound: number }
  | { kind: 'constant'; value: number };

export function sample(n: number, spec: InitSpec, seed: number): Float32Array {
  switch (spec.kind) {
    case 'normal':
      return testing.randNormal(n, seed, spec.std);
    case 'uniform':
      return testing.randUniform(n, seed, -spec.bound, spec.bound);
    case 'constant':
      return new Float32Array(n).fill(spec.value);
  }
}

/**
 * nn.Linear / nn.Conv2d defaults: kaiming_uniform_(a = sqrt(5)) on the weight, i.e.
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
export function torchDefault(fanIn: number): InitSpec {
  return { kind: 'uniform', bound: fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0 };
}

/** torchvision ResNet convs: kaiming_normal_(mode='fan_out', nonlinearity='relu'). */
export function kaimingNormalFanOut(fanOut: number): InitSpec {
  return { kind: 'normal', std: Math.sqrt(2 / fanOut) };
}

/** Hugging Face BERT-family `_init_weights`: normal(0, initializer_range = 0.02). */
export const HF_NORMAL: InitSpec = { kind: 'normal', std: 0.02 };

export const ZEROS: InitSpec = { kind: 'constant', value: 0 };
export const ONES: InitSpec = { kind: 'constant', value: 1 };
