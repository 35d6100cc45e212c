/**
 * Named raw tensors: what checkpoint files hold, before any model code sees them.
 *
 * A RawTensor is host memory in row-major order with PyTorch's layout (conv weights OIHW,
 * linear weights [out, in]); converting to the GPU layouts (HWIO, NHWC) is the model code's
 * job. The dtype names are safetensors' names. Half-precision tensors keep their raw bits in
 * a Uint16Array (`toFloat32` widens them) so a read -> write round trip is lossless.
 */

export type FloatDType = 'F64' | 'F32' | 'F16' | 'BF16';
export type IntDType = 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';
export type DType = FloatDType | IntDType;

export type RawTensor =
  | { dtype: 'F64'; shape: number[]; data: Float64Array }
  | { dtype: 'F32'; shape: number[]; data: Float32Array }
  | { dtype: 'F16' | 'BF16'; shape: number[]; data: Uint16Array }
  | { dtype: 'I64'; shape: number[]; data: BigInt64Array }
  | { dtype: 'I32'; shape: number[]; data: Int32Array }
  | { dtype: 'I16'; shape: number[]; data: Int16Array }
  | { dtype: 'I8'; shape: number[]; data: Int8Array }
  | { dtype: 'U8' | 'BOOL'; shape: number[]; data: Uint8Array };

/** A state dict: parameter/buffer name -> tensor, in the file's order. */
export type TensorMap = Map<string, RawTensor>;

export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export function isDType(s: string): s is DType {
  return Object.prototype.hasOwnProperty.call(DTYPE_BYTES, s);
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Every supported element type is little-endian on disk; a big-endian host would need swaps. */
export function assertLittleEndianHost(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('checkpoint IO assumes a little-endian host');
  }
}

/**
 * Wraps little-endian bytes as a tensor of `dtype`. Views the bytes when they are aligned for
 * the element type (no copy), copies them otherwise. The caller must not reuse `bytes`.
 */
export function tensorFromBytes(dtype: DType, shape: number[], bytes: Uint8Array): RawTensor {
  assertLittleEndianHost();
  const size = DTYPE_BYTES[dtype];
  const n = numel(shape);
  if (bytes.byteLength !== n * size) {
    throw new Error(`${dtype}${JSON.stringify(shape)} needs ${n * size} bytes, got ${bytes.byteLength}`);
  }
  const src = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  const buf = src.buffer;
  const off = src.byteOffset;
  switch (dtype) {
    case 'F64': return { dtype, shape, data: new Float64Array(buf, off, n) };
    case 'F32': return { dtype, shape, data: new Float32Array(buf, off, n) };
    case 'F16': case 'BF16': return { dtype, shape, data: new Uint16Array(buf, off, n) };
    case 'I64': return { dtype, shape, data: new BigInt64Array(buf, off, n) };
    case 'I32': return { dtype, shape, data: new Int32Array(buf, off, n) };
    case 'I16': return { dtype, shape, data: new Int16Array(buf, off, n) };
    case 'I8': return { dtype, shape, data: new Int8Array(buf, off, n) };
    case 'U8': case 'BOOL': return { dtype, shape, data: new Uint8Array(buf, off, n) };
  }
}

/** The tensor's bytes (a view, not a copy). */
export function tensorBytes(t: RawTensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** IEEE half -> float, exact (every half is representable as a float). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Float32 values of any tensor (F16/BF16 widened exactly, F64 rounded, integers converted). */
export function toFloat32(t: RawTensor): Float32Array {
  switch (t.dtype) {
    case 'F32': return t.data;
    case 'F16': return Float32Array.from(t.data, halfToFloat);
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(t.data.length);
      for (let i = 0; i < bits.length; i++) bits[i] = t.data[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64': return Float32Array.from(t.data, (v) => Number(v));
    default: return Float32Array.from(t.data);
  }
}

/** `t` as an F32 tensor (the same object when it already is one). */
export function asF32(t: RawTensor): RawTensor & { dtype: 'F32' } {
  return t.dtype === 'F32' ? t : { dtype: 'F32', shape: t.shape, data: toFloat32(t) };
}
