import { binaryScalar, type Gpu, testing } from '@exif-lang/kernels';
import { Tensor, numel, type DType } from './tensor.ts';

/** Tensor from host data (f32, or u32 for ids). */
export function tensor(gpu: Gpu, data: ArrayLike<number> | Float32Array | Uint32Array, shape: readonly number[], dtype: DType = 'f32'): Tensor {
  const n = numel(shape);
  if (data.length !== n) throw new Error(`tensor(): ${data.length} values for shape [${shape.join(',')}] (${n})`);
  const arr = dtype === 'u32' ? (data instanceof Uint32Array ? data : Uint32Array.from(data)) : data instanceof Float32Array ? data : Float32Array.from(data);
  return Tensor.fromBuffer(gpu.upload(arr, 'tensor'), shape, dtype);
}

export function zeros(gpu: Gpu, shape: readonly number[], dtype: DType = 'f32'): Tensor {
  return Tensor.fromBuffer(gpu.zeros(numel(shape) * 4, 'zeros'), shape, dtype);
}

/** Tensor filled with `value` (on the GPU: zeros + scalar add, no upload). */
export function full(gpu: Gpu, shape: readonly number[], value: number): Tensor {
  const n = numel(shape);
  const b = gpu.zeros(n * 4, 'full');
  if (value !== 0) binaryScalar(gpu, 'add', b, n, value, { out: b });
  return Tensor.fromBuffer(b, shape);
}

export function ones(gpu: Gpu, shape: readonly number[]): Tensor {
  return full(gpu, shape, 1);
}

/** Seeded standard-normal tensor (times `scale`), generated on the host for reproducibility. */
export function randn(gpu: Gpu, shape: readonly number[], seed: number, scale = 1): Tensor {
  return tensor(gpu, testing.randNormal(numel(shape), seed, scale), shape);
}

/** Seeded uniform tensor in [lo, hi). */
export function randu(gpu: Gpu, shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  return tensor(gpu, testing.randUniform(numel(shape), seed, lo, hi), shape);
}
