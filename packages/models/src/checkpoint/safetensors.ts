/**
 * safetensors read/write (https://github.com/huggingface/safetensors, "Format").
 *
 * Layout: u64 little-endian N, N bytes of UTF-8 JSON header, then the data buffer. The header
 * maps each name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the data
 * buffer) plus an optional `__metadata__` object of string -> string. The spec requires the
 * buffer to be covered exactly (no holes, no overlaps) and caps the header at 100 MB.
 *
 * Our checkpoints put config JSON, step and the names of optimizer-state tensors in
 * `__metadata__` (strings only: JSON-encode anything structured).
 */
import { openSource, writeFileAtomic, type ByteSource } from './bytes.ts';
import { DTYPE_BYTES, asF32, isDType, numel, tensorBytes, tensorFromBytes, type DType, type RawTensor, type TensorMap } from './tensor.ts';

/** The reference implementation's limit; a larger header is a corrupt or hostile file. */
export const MAX_HEADER_BYTES = 100_000_000;

export type Metadata = Record<string, string>;

export interface SafetensorsEntry {
  name: string;
  dtype: DType;
  shape: number[];
  /** Byte range inside the data buffer. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  entries: SafetensorsEntry[];
  metadata: Metadata;
  /** File offset of the data buffer (8 + N). */
  dataStart: number;
}

export interface SafetensorsFile {
  tensors: TensorMap;
  metadata: Metadata;
}

export interface ReadSafetensorsOptions {
  /** Widen F16/BF16 tensors to F32 (exact). Default false: keep the raw half bits. */
  halfToF32?: boolean;
  /** Load only the tensors whose name passes (the header is always read whole). */
  filter?: (name: string) => boolean;
  /** Name used in errors when `input` is bytes. */
  name?: string;
}

function fail(src: { name: string }, msg: string): never {
  throw new Error(`${src.name}: invalid safetensors file: ${msg}`);
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses and validates the header (reads only the first 8 + N bytes). */
export function readSafetensorsHeader(src: ByteSource): SafetensorsHeader {
  if (src.size < 8) fail(src, `truncated file (${src.size} bytes, the header size alone takes 8)`);
  const n64 = new DataView(src.read(0, 8).slice().buffer).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(src, `header too large (${n64} bytes, limit ${MAX_HEADER_BYTES})`);
  const n = Number(n64);
  if (8 + n > src.size) fail(src, `truncated file (header says ${n} bytes, file has ${src.size - 8} after the size)`);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(src.read(8, n));
  if (!text.startsWith('{')) fail(src, 'header does not start with "{"');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(src, `header is not JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(src, 'header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = src.size - dataStart;
  const metadata: Metadata = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(src, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(src, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(src, `entry "${name}" is not an object`);
    if (typeof e.dtype !== 'string' || !isDType(e.dtype)) fail(src, `tensor "${name}": unknown dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || !e.shape.every(isNonNegInt)) fail(src, `tensor "${name}": bad shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isNonNegInt)) {
      fail(src, `tensor "${name}": bad data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    const shape = e.shape as number[];
    const want = numel(shape) * DTYPE_BYTES[e.dtype];
    if (end < begin || end - begin !== want) {
      fail(src, `tensor "${name}": data_offsets [${begin}, ${end}] hold ${end - begin} bytes, ${e.dtype}${JSON.stringify(shape)} needs ${want}`);
    }
    if (end > dataLen) fail(src, `tensor "${name}": data_offsets [${begin}, ${end}] out of range (data is ${dataLen} bytes; truncated file?)`);
    entries.push({ name, dtype: e.dtype, shape, begin, end });
  }
  // The spec: the data buffer is covered exactly, in any order, without overlaps or holes.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin < pos) fail(src, `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] overlap another tensor`);
    if (e.begin > pos) fail(src, `hole in the data buffer at bytes ${pos}..${e.begin}`);
    pos = e.end;
  }
  if (pos !== dataLen) fail(src, `${dataLen - pos} trailing bytes not covered by any tensor`);
  return { entries, metadata, dataStart };
}

/** Reads a safetensors file (path) or buffer. */
export function readSafetensors(input: string | Uint8Array, opts: ReadSafetensorsOptions = {}): SafetensorsFile {
  const src = openSource(input, opts.name);
  try {
    const header = readSafetensorsHeader(src);
    const tensors: TensorMap = new Map();
    for (const e of header.entries) {
      if (opts.filter && !opts.filter(e.name)) continue;
      let t = tensorFromBytes(e.dtype, e.shape, src.read(header.dataStart + e.begin, e.end - e.begin));
      if (opts.halfToF32 && (t.dtype === 'F16' || t.dtype === 'BF16')) t = asF32(t);
      tensors.set(e.name, t);
    }
    return { tensors, metadata: header.metadata };
  } finally {
    src.close();
  }
}

function checkTensor(name: string, t: RawTensor): void {
  if (!t.shape.every(isNonNegInt)) throw new Error(`safetensors: tensor "${name}" has a bad shape ${JSON.stringify(t.shape)}`);
  if (t.data.length !== numel(t.shape)) {
    throw new Error(`safetensors: tensor "${name}" has ${t.data.length} elements, shape ${JSON.stringify(t.shape)} needs ${numel(t.shape)}`);
  }
}

/**
 * The file as chunks (header, then each tensor's bytes) so large checkpoints are written
 * without one big concatenation. Tensors are laid out by element size, largest first, so
 * every tensor starts at a multiple of its element size; the header is padded with spaces
 * to a multiple of 8 so the data buffer starts 8-aligned, as the reference writer does.
 */
export function serializeSafetensors(tensors: TensorMap | Record<string, RawTensor>, metadata: Metadata = {}): Uint8Array[] {
  const list = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))];
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new Error(`safetensors: metadata "${k}" must be a string (JSON-encode structured values)`);
  }
  for (const [name, t] of list) {
    if (name === '__metadata__') throw new Error('safetensors: "__metadata__" is reserved and cannot name a tensor');
    checkTensor(name, t);
  }
  list.sort(([an, a], [bn, b]) => DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype] || (an < bn ? -1 : an > bn ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let pos = 0;
  for (const [name, t] of list) {
    const len = t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [pos, pos + len] };
    pos += len;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  return [size, json, ...list.map(([, t]) => tensorBytes(t))];
}

/** The whole file in one buffer (for tests and small files). */
export function encodeSafetensors(tensors: TensorMap | Record<string, RawTensor>, metadata: Metadata = {}): Uint8Array {
  const chunks = serializeSafetensors(tensors, metadata);
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.byteLength, 0));
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

/** Writes atomically: readers see the previous file or the complete new one. */
export function writeSafetensors(path: string, tensors: TensorMap | Record<string, RawTensor>, metadata: Metadata = {}): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}
