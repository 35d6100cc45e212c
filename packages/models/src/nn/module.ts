import type { Gpu } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { keep } from '../tensor/scope.ts';
import { tensor } from '../tensor/create.ts';
import { toFloat32, type RawTensor, type TensorMap } from '../checkpoint/tensor.ts';

/**
 * How a parameter is laid out on the GPU versus in a state dict (PyTorch's layout). Conv
 * weights are HWIO on the GPU and OIHW in checkpoints; everything else is stored as is.
 */
export interface Layout {
  /** The state-dict (PyTorch) shape of a GPU tensor of shape `gpuShape`. */
  torchShape(gpuShape: readonly number[]): number[];
  toTorch(data: Float32Array, gpuShape: readonly number[]): Float32Array;
  fromTorch(data: Float32Array, gpuShape: readonly number[]): Float32Array;
}

interface Slot {
  tensor: Tensor;
  layout: Layout | null;
  /** parameters get gradients and optimizer updates; buffers (running stats) do not */
  kind: 'param' | 'buffer';
}

/**
 * A layer or a model: named parameters, buffers and child modules, in registration order, so
 * state-dict names are stable (`layer1.0.conv1.weight`, as torchvision/Hugging Face name them).
 * Parameters and buffers are kept (outside every scope) until `dispose()`.
 */
export abstract class Module {
  training = true;
  private readonly slots = new Map<string, Slot>();
  private readonly children = new Map<string, Module>();
  /** Integer counters exported as I64 (BatchNorm's num_batches_tracked). */
  private readonly counters = new Map<string, { value: number }>();

  constructor(readonly gpu: Gpu) {}

  protected param(name: string, t: Tensor, layout: Layout | null = null): Tensor {
    this.assertFree(name);
    keep(t);
    t.requiresGrad = true;
    t.name = name;
    this.slots.set(name, { tensor: t, layout, kind: 'param' });
    return t;
  }

  protected buffer(name: string, t: Tensor, layout: Layout | null = null): Tensor {
    this.assertFree(name);
    keep(t);
    t.name = name;
    this.slots.set(name, { tensor: t, layout, kind: 'buffer' });
    return t;
  }

  protected counter(name: string): { value: number } {
    this.assertFree(name);
    const c = { value: 0 };
    this.counters.set(name, c);
    return c;
  }

  protected child<M extends Module>(name: string, m: M): M {
    this.assertFree(name);
    this.children.set(name, m);
    return m;
  }

  private assertFree(name: string): void {
    if (this.slots.has(name) || this.children.has(name) || this.counters.has(name)) throw new Error(`${this.constructor.name}: '${name}' registered twice`);
  }

  /** [name, module] for this module and every descendant, depth first (prefix '' for this). */
  *modules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [n, c] of this.children) yield* c.modules(prefix ? `${prefix}.${n}` : n);
  }

  *namedParameters(): Generator<[string, Tensor]> {
    for (const [p, m] of this.modules()) for (const [n, s] of m.slots) if (s.kind === 'param') yield [p ? `${p}.${n}` : n, s.tensor];
  }

  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, t]) => t);
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  train(on = true): this {
    for (const [, m] of this.modules()) m.training = on;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const t of this.parameters()) {
      t.grad?.dispose();
      t.grad = null;
    }
  }

  /** Parameters, buffers and counters with their state-dict names, in PyTorch layout. */
  async stateDict(): Promise<TensorMap> {
    const out: TensorMap = new Map();
    for (const [p, m] of this.modules()) {
      const name = (n: string) => (p ? `${p}.${n}` : n);
      // Registration order interleaves slots and counters as PyTorch does for BN.
      for (const [n, s] of m.slots) {
        const data = await s.tensor.data();
        const raw: RawTensor = s.layout
          ? { dtype: 'F32', shape: s.layout.torchShape(s.tensor.shape), data: s.layout.toTorch(data, s.tensor.shape) }
          : { dtype: 'F32', shape: [...s.tensor.shape], data };
        out.set(name(n), raw);
      }
      for (const [n, c] of m.counters) out.set(name(n), { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(c.value)) });
    }
    return out;
  }

  /**
   * Gradients of the parameters that have one, under their state-dict names and in PyTorch
   * layout (conv gradients OIHW), e.g. to compare with PyTorch's. A readback per tensor.
   */
  async gradDict(): Promise<TensorMap> {
    const out: TensorMap = new Map();
    for (const [p, m] of this.modules()) {
      for (const [n, s] of m.slots) {
        const g = s.tensor.grad;
        if (s.kind !== 'param' || !g) continue;
        const data = await g.data();
        out.set(p ? `${p}.${n}` : n, s.layout
          ? { dtype: 'F32', shape: s.layout.torchShape(s.tensor.shape), data: s.layout.toTorch(data, s.tensor.shape) }
          : { dtype: 'F32', shape: [...s.tensor.shape], data });
      }
    }
    return out;
  }

  /**
   * Loads a state dict (PyTorch layout) into the existing GPU tensors, so optimizers holding
   * them stay valid. `strict`: every key must match and none may be missing. Returns the
   * keys that were missing from / unexpected in `sd`.
   */
  loadStateDict(sd: TensorMap, opts: { strict?: boolean } = {}): { missing: string[]; unexpected: string[] } {
    const strict = opts.strict ?? true;
    const seen = new Set<string>();
    const missing: string[] = [];
    const writes: (() => void)[] = [];
    // Validate everything first and write only then: a bad checkpoint leaves the model untouched.
    for (const [p, m] of this.modules()) {
      const name = (n: string) => (p ? `${p}.${n}` : n);
      for (const [n, s] of m.slots) {
        const key = name(n);
        const raw = sd.get(key);
        if (!raw) {
          missing.push(key);
          continue;
        }
        seen.add(key);
        const want = s.layout ? s.layout.torchShape(s.tensor.shape) : [...s.tensor.shape];
        if (raw.shape.join(',') !== want.join(',')) throw new Error(`loadStateDict: '${key}' has shape [${raw.shape}], the model expects [${want}]`);
        const f32 = toF32(raw, key);
        writes.push(() => this.gpu.write(s.tensor.buffer, s.layout ? s.layout.fromTorch(f32, s.tensor.shape) : f32));
      }
      for (const [n, c] of m.counters) {
        const raw = sd.get(name(n));
        if (!raw) continue; // optional in old checkpoints
        seen.add(name(n));
        writes.push(() => (c.value = Number(raw.data[0])));
      }
    }
    const unexpected = [...sd.keys()].filter((k) => !seen.has(k));
    if (strict && (missing.length || unexpected.length)) {
      throw new Error(`loadStateDict: ${missing.length} missing (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}), ${unexpected.length} unexpected (${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', ...' : ''})`);
    }
    for (const w of writes) w();
    return { missing, unexpected };
  }

  /** Frees every parameter, buffer and gradient of this module tree. */
  dispose(): void {
    for (const [, m] of this.modules()) {
      for (const s of m.slots.values()) {
        s.tensor.grad?.dispose();
        s.tensor.grad = null;
        s.tensor.dispose();
      }
    }
  }
}

function toF32(raw: RawTensor, key: string): Float32Array {
  if (raw.dtype === 'F64') return Float32Array.from(raw.data);
  if (raw.dtype === 'F32' || raw.dtype === 'F16' || raw.dtype === 'BF16') return toFloat32(raw);
  throw new Error(`loadStateDict: '${key}' is ${raw.dtype}; expected a float tensor`);
}

/** Helper for module constructors: a parameter initialised from host data. */
export function hostTensor(gpu: Gpu, data: Float32Array, shape: readonly number[]): Tensor {
  return tensor(gpu, data, shape);
}
