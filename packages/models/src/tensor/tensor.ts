import type { Gpu, GpuBuffer } from '@exif-lang/kernels';
import { track } from './scope.ts';
import type { Node } from '../autograd/node.ts';

export type DType = 'f32' | 'u32';

/** Reference-counted GPU storage shared by a tensor and its views / saved copies. */
export class Storage {
  private refs = 1;
  constructor(readonly buf: GpuBuffer) {}
  retain(): this {
    if (this.refs <= 0) throw new Error(`storage '${this.buf.label}' retained after it was freed`);
    this.refs++;
    return this;
  }
  release(): void {
    if (--this.refs === 0) this.buf.release();
  }
  get alive(): boolean {
    return this.refs > 0;
  }
}

let nextId = 1;

/**
 * A dense, contiguous, row-major tensor on the GPU (float32, or u32 for ids/indices).
 * `node` is the autograd record of the op that produced it (null for leaves); `grad` is filled
 * by backward() for tensors that require grad.
 */
export class Tensor {
  readonly isTensor = true;
  readonly id = nextId++;
  grad: Tensor | null = null;
  node: Node | null = null;
  name: string | undefined;
  private disposed = false;

  constructor(
    readonly storage: Storage,
    readonly shape: readonly number[],
    readonly dtype: DType = 'f32',
    public requiresGrad = false,
  ) {
    const need = numel(shape) * 4;
    if (storage.buf.byteLength < need) {
      throw new Error(`tensor [${shape.join(',')}] needs ${need} bytes, storage '${storage.buf.label}' has ${storage.buf.byteLength}`);
    }
    track(this);
  }

  /** Wraps a freshly allocated buffer (ownership moves to the tensor). */
  static fromBuffer(buf: GpuBuffer, shape: readonly number[], dtype: DType = 'f32'): Tensor {
    return new Tensor(new Storage(buf), [...shape], dtype);
  }

  get gpu(): Gpu {
    return this.storage.buf.gpu;
  }

  get buffer(): GpuBuffer {
    if (this.disposed) throw new Error(`tensor ${this.describe()} used after dispose()`);
    return this.storage.buf;
  }

  get size(): number {
    return numel(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  describe(): string {
    return `${this.name ?? `t${this.id}`}[${this.shape.join(',')}]${this.dtype === 'f32' ? '' : `:${this.dtype}`}`;
  }

  /** Another handle on the same storage (used for views and for tensors saved by autograd). */
  share(shape: readonly number[] = this.shape): Tensor {
    if (numel(shape) !== this.size) throw new Error(`cannot view ${this.describe()} as [${shape.join(',')}]`);
    return new Tensor(this.storage.retain(), [...shape], this.dtype);
  }

  /** Drops this handle; the GPU buffer returns to the pool when no handle or saved copy uses it. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.storage.release();
  }

  async data(): Promise<Float32Array> {
    if (this.dtype !== 'f32') throw new Error(`data(): ${this.describe()} is ${this.dtype}; use dataU32()`);
    return new Float32Array(await this.gpu.read(this.buffer, 0, this.size * 4));
  }

  async dataU32(): Promise<Uint32Array> {
    return new Uint32Array(await this.gpu.read(this.buffer, 0, this.size * 4));
  }

  /** The single value of a one-element tensor (a readback: avoid it inside training steps). */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item(): ${this.describe()} has ${this.size} elements`);
    return (await this.data())[0];
  }
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape [${shape.join(',')}]`);
    n *= d;
  }
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
