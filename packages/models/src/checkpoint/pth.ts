/**
 * PyTorch checkpoint (.pth / .pt) reader, no Python needed.
 *
 * Zip format (torch.save since 1.6): `<prefix>/data.pkl` is a pickle whose tensors refer to
 * storages by persistent id ('storage', torch.FloatStorage, key, location, numel); each
 * storage's bytes are the member `<prefix>/data/<key>` (little-endian, see `<prefix>/byteorder`).
 * Legacy format (torch < 1.6, or `_use_new_zipfile_serialization=False`): pickles back to
 * back (magic number, protocol version, sys info, the object, the storage keys), then each
 * storage as an int64 element count and its bytes. The older tar format is rejected.
 *
 * The object is unpickled with TensorRef placeholders; tensor bytes are read only when a
 * tensor is loaded, so opening a checkpoint with optimizer state costs only what is used.
 */
import { openSource, type ByteSource } from './bytes.ts';
import { PyCallable, PyGlobal, unpickle, type PyKey, type PyValue } from './pickle.ts';
import { DTYPE_BYTES, asF32, assertLittleEndianHost, numel, tensorFromBytes, type DType, type RawTensor, type TensorMap } from './tensor.ts';
import { ZipReader, looksLikeZip } from './zip.ts';

/** torch storage classes and the element type each holds. */
const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  DoubleStorage: 'F64', FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8',
  ByteStorage: 'U8', BoolStorage: 'BOOL', UntypedStorage: 'U8',
};

/** A storage named by the pickle; its bytes stay in the file until a tensor needs them. */
export class StorageRef {
  constructor(readonly key: string, readonly dtype: DType, readonly location: string, readonly numel: number) {}
}

/** A tensor as the pickle describes it: a strided view of a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
    readonly requiresGrad: boolean,
  ) {}
  get dtype(): DType {
    return this.storage.dtype;
  }
}

export interface PthCheckpoint {
  readonly name: string;
  readonly format: 'zip' | 'legacy';
  /** The unpickled object, tensors as TensorRef. */
  readonly root: PyValue;
  /** Reads a tensor's values (non-contiguous views are materialised row-major). */
  load(ref: TensorRef): RawTensor;
  close(): void;
}

function intList(v: PyValue, what: string, file: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
    throw new Error(`${file}: tensor ${what} is not a tuple of non-negative ints`);
  }
  return v as number[];
}

/** The allow-list: only what torch.save writes for tensors, parameters and state dicts. */
function torchGlobals(file: string): (module: string, name: string) => PyGlobal | PyCallable {
  const rebuildV2 = (args: PyValue[]): TensorRef => {
    const [storage, offset, size, stride, requiresGrad] = args;
    if (!(storage instanceof StorageRef)) throw new Error(`${file}: _rebuild_tensor_v2 without a storage`);
    if (typeof offset !== 'number') throw new Error(`${file}: tensor storage offset is not an int`);
    const shape = intList(size, 'size', file);
    const strides = intList(stride, 'stride', file);
    if (shape.length !== strides.length) throw new Error(`${file}: tensor size and stride differ in rank`);
    return new TensorRef(storage, offset, shape, strides, requiresGrad === true);
  };
  const tensorArg = (v: PyValue, fn: string): TensorRef => {
    if (!(v instanceof TensorRef)) throw new Error(`${file}: ${fn} expects a tensor`);
    return v;
  };
  const callables: Record<string, (args: PyValue[]) => PyValue> = {
    'collections.OrderedDict': (args) => {
      const m = new Map<PyKey, PyValue>();
      // OrderedDict([(k, v), ...]) appears with an items list; torch's own pickles pass ().
      const items = args[0];
      if (Array.isArray(items)) for (const kv of items) if (Array.isArray(kv) && kv.length === 2) m.set(kv[0] as PyKey, kv[1]);
      return m;
    },
    // Protocol 2 has no bytes opcode: Python 3 pickles bytes as _codecs.encode(str, 'latin1').
    '_codecs.encode': (args) => {
      const [text, encoding] = args;
      if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
        throw new Error(`${file}: _codecs.encode is allowed only as latin-1 bytes`);
      }
      return Uint8Array.from(text, (c) => c.charCodeAt(0));
    },
    'torch._utils._rebuild_tensor_v2': rebuildV2,
    // torch < 0.4 wrote the same without requires_grad.
    'torch._utils._rebuild_tensor': (args) => rebuildV2([...args.slice(0, 4), false]),
    'torch._utils._rebuild_parameter': (args) => {
      const t = tensorArg(args[0], '_rebuild_parameter');
      return new TensorRef(t.storage, t.offset, t.shape, t.stride, args[1] === true);
    },
    'torch._utils._rebuild_parameter_with_state': (args) => tensorArg(args[0], '_rebuild_parameter_with_state'),
    // Tensor subclasses / tensors with python attributes: (func, type, args, state).
    'torch._tensor._rebuild_from_type_v2': (args) => {
      const [fn, , fnArgs] = args;
      if (!(fn instanceof PyCallable) || !Array.isArray(fnArgs)) throw new Error(`${file}: bad _rebuild_from_type_v2 arguments`);
      return fn.call(fnArgs);
    },
  };
  const markers = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);
  return (module, name) => {
    const q = `${module}.${name}`;
    const fn = callables[q];
    if (fn) return new PyCallable(q, fn);
    if (markers.has(q) || (module === 'torch' && name in STORAGE_DTYPES)) return new PyGlobal(module, name);
    throw new Error(
      `${file}: pickle global ${q} is not allowed (this reader loads tensors, state dicts and plain ` +
        'Python containers only; it never runs code from the file)',
    );
  };
}

/** ('storage', torch.XStorage, key, location, numel[, view_metadata]) -> StorageRef. */
function storageFromPid(pid: PyValue, file: string): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw new Error(`${file}: unsupported persistent id ${String(Array.isArray(pid) ? pid[0] : pid)}`);
  const [, type, key, location, count, view] = pid;
  if (!(type instanceof PyGlobal) || !(type.name in STORAGE_DTYPES)) throw new Error(`${file}: unknown storage type`);
  if (typeof key !== 'string' || typeof location !== 'string' || typeof count !== 'number') throw new Error(`${file}: malformed storage id`);
  if (view !== undefined && view !== null) throw new Error(`${file}: legacy storage views are not supported`);
  return new StorageRef(key, STORAGE_DTYPES[type.name], location, count);
}

/** Copies the strided view row-major into fresh bytes (element-sized words, so NaN payloads survive). */
function gather(storage: Uint8Array, ref: TensorRef, size: number): Uint8Array {
  const n = numel(ref.shape);
  const out = new Uint8Array(n * size);
  const src = storage.byteOffset % size === 0 ? storage : storage.slice();
  const words = (b: Uint8Array, len: number) =>
    size === 8 ? new BigUint64Array(b.buffer, b.byteOffset, len)
    : size === 4 ? new Uint32Array(b.buffer, b.byteOffset, len)
    : size === 2 ? new Uint16Array(b.buffer, b.byteOffset, len)
    : new Uint8Array(b.buffer, b.byteOffset, len);
  const s = words(src, src.byteLength / size);
  const o = words(out, n);
  const rank = ref.shape.length;
  const idx = new Array<number>(rank).fill(0);
  let p = ref.offset;
  for (let i = 0; i < n; i++) {
    (o as Uint32Array)[i] = (s as Uint32Array)[p];
    // Odometer over the multi-index, adjusting the source position by the strides.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      p += ref.stride[d];
      if (idx[d] < ref.shape[d]) break;
      p -= ref.stride[d] * ref.shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

function isContiguous(ref: TensorRef): boolean {
  let expect = 1;
  for (let d = ref.shape.length - 1; d >= 0; d--) {
    if (ref.shape[d] !== 1 && ref.stride[d] !== expect) return false;
    expect *= ref.shape[d];
  }
  return true;
}

class Checkpoint implements PthCheckpoint {
  private readonly cache = new Map<string, Uint8Array>();
  constructor(
    readonly name: string,
    readonly format: 'zip' | 'legacy',
    readonly root: PyValue,
    private readonly storageBytes: (s: StorageRef) => Uint8Array,
    private readonly closer: () => void,
  ) {}

  load(ref: TensorRef): RawTensor {
    const s = ref.storage;
    const size = DTYPE_BYTES[s.dtype];
    let bytes = this.cache.get(s.key);
    if (!bytes) {
      bytes = this.storageBytes(s);
      if (bytes.byteLength !== s.numel * size) {
        throw new Error(`${this.name}: storage ${s.key} has ${bytes.byteLength} bytes, expected ${s.numel} x ${size}`);
      }
      this.cache.set(s.key, bytes);
    }
    const n = numel(ref.shape);
    let last = ref.offset;
    for (let d = 0; d < ref.shape.length; d++) last += (ref.shape[d] - 1) * ref.stride[d];
    if (n > 0 && (ref.offset < 0 || last >= s.numel)) {
      throw new Error(`${this.name}: tensor view [offset ${ref.offset}, shape ${ref.shape}, stride ${ref.stride}] exceeds storage ${s.key} (${s.numel} elements)`);
    }
    const data = n === 0 ? new Uint8Array(0)
      : isContiguous(ref) ? bytes.subarray(ref.offset * size, (ref.offset + n) * size)
      : gather(bytes, ref, size);
    return tensorFromBytes(s.dtype, [...ref.shape], data);
  }

  close(): void {
    this.cache.clear();
    this.closer();
  }
}

function isTar(head: Uint8Array): boolean {
  return head.byteLength >= 262 && new TextDecoder('latin1').decode(head.subarray(257, 262)) === 'ustar';
}

function openZip(src: ByteSource): PthCheckpoint {
  const zip = new ZipReader(src);
  const pkl = [...zip.entries.keys()].find((k) => /^[^/]+\/data\.pkl$/.test(k));
  if (!pkl) {
    zip.close();
    throw new Error(`${src.name}: zip archive without <name>/data.pkl (not a torch.save file; TorchScript archives are not supported)`);
  }
  const prefix = pkl.slice(0, -'data.pkl'.length);
  if (zip.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(zip.read(`${prefix}byteorder`)).trim();
    if (order !== 'little') {
      zip.close();
      throw new Error(`${src.name}: ${order}-endian storages are not supported`);
    }
  }
  const file = src.name;
  try {
    const { value } = unpickle(zip.read(pkl), {
      name: `${file} (${pkl})`,
      findGlobal: torchGlobals(file),
      persistentLoad: (pid) => storageFromPid(pid, file),
    });
    return new Checkpoint(file, 'zip', value, (s) => zip.read(`${prefix}data/${s.key}`), () => zip.close());
  } catch (e) {
    zip.close();
    throw e;
  }
}

function openLegacy(src: ByteSource): PthCheckpoint {
  const file = src.name;
  const bytes = src.read(0, src.size);
  src.close();
  const findGlobal = torchGlobals(file);
  const storages = new Map<string, StorageRef>();
  const persistentLoad = (pid: PyValue): StorageRef => {
    const s = storageFromPid(pid, file);
    const seen = storages.get(s.key);
    if (seen) return seen;
    storages.set(s.key, s);
    return s;
  };
  const next = (offset: number, what: string) => unpickle(bytes, { name: `${file} (${what})`, findGlobal, persistentLoad, offset });
  const magic = next(0, 'magic number');
  if (magic.value !== 0x1950a86a20f9469cfc6cn) throw new Error(`${file}: not a PyTorch checkpoint (bad magic number)`);
  const version = next(magic.end, 'protocol version');
  if (version.value !== 1001) throw new Error(`${file}: unsupported legacy protocol version ${String(version.value)}`);
  const sysInfo = next(version.end, 'sys info');
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) throw new Error(`${file}: big-endian checkpoint`);
  const main = next(sysInfo.end, 'object');
  const keys = next(main.end, 'storage keys');
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) throw new Error(`${file}: bad storage key list`);
  // Storages follow in key-list order, each an int64 element count then the raw elements.
  const offsets = new Map<string, [number, number]>();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keys.end;
  for (const key of keys.value as string[]) {
    const s = storages.get(key);
    if (!s) throw new Error(`${file}: storage ${key} is listed but never used`);
    if (pos + 8 > bytes.byteLength) throw new Error(`${file}: truncated file (storage ${key})`);
    const count = Number(dv.getBigInt64(pos, true));
    const len = count * DTYPE_BYTES[s.dtype];
    if (pos + 8 + len > bytes.byteLength) throw new Error(`${file}: truncated file (storage ${key} needs ${len} bytes)`);
    offsets.set(key, [pos + 8, len]);
    pos += 8 + len;
  }
  return new Checkpoint(file, 'legacy', main.value, (s) => {
    const o = offsets.get(s.key);
    if (!o) throw new Error(`${file}: storage ${s.key} has no data`);
    return bytes.subarray(o[0], o[0] + o[1]);
  }, () => {});
}

/** Opens a .pth (path or bytes) and unpickles its object; tensors load on demand. */
export function openPth(input: string | Uint8Array, name?: string): PthCheckpoint {
  assertLittleEndianHost();
  const src = openSource(input, name);
  let head: Uint8Array;
  try {
    head = src.read(0, Math.min(src.size, 512));
  } catch (e) {
    src.close();
    throw e;
  }
  if (looksLikeZip(head)) return openZip(src);
  if (isTar(head)) {
    src.close();
    throw new Error(`${src.name}: the tar-based checkpoint format of torch < 0.4 is not supported (re-save it with a newer torch.save)`);
  }
  if (head[0] === 0x80) return openLegacy(src);
  src.close();
  throw new Error(`${src.name}: not a PyTorch checkpoint (neither a zip archive nor a pickle)`);
}

// ---------------------------------------------------------------------------------------------
// Finding the state dict inside a checkpoint.

export type PyPath = (string | number)[];

function isTensorDict(v: PyValue): v is Map<string, TensorRef> {
  if (!(v instanceof Map) || v.size === 0) return false;
  for (const [k, x] of v) if (typeof k !== 'string' || !(x instanceof TensorRef)) return false;
  return true;
}

/** Wrapper keys that usually hold the model's state dict, most specific first. */
const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model', 'module', 'net', 'network', 'params'];

/**
 * Where the model's state dict is: the root when it is a dict of tensors; otherwise the first
 * of STATE_DICT_KEYS that holds one; otherwise the largest dict of tensors anywhere (lists
 * and dicts are searched). Null when there is none.
 */
export function findStateDict(root: PyValue): { path: PyPath; dict: Map<string, TensorRef> } | null {
  if (isTensorDict(root)) return { path: [], dict: root };
  if (root instanceof Map) {
    for (const k of STATE_DICT_KEYS) {
      const v = root.get(k);
      if (v !== undefined && isTensorDict(v)) return { path: [k], dict: v };
    }
  }
  let best: { path: PyPath; dict: Map<string, TensorRef> } | null = null;
  const visit = (v: PyValue, path: PyPath, depth: number): void => {
    if (depth > 32) return;
    if (isTensorDict(v)) {
      if (!best || v.size > best.dict.size) best = { path, dict: v };
      return;
    }
    if (v instanceof Map) for (const [k, x] of v) visit(x, [...path, typeof k === 'string' || typeof k === 'number' ? k : String(k)], depth + 1);
    else if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i], depth + 1));
  };
  visit(root, [], 0);
  return best;
}

/** The value at `path` inside `root` (dict keys and list indices). */
export function pyGet(root: PyValue, path: PyPath): PyValue | undefined {
  let v: PyValue | undefined = root;
  for (const k of path) {
    if (v instanceof Map) v = v.get(k);
    else if (Array.isArray(v) && typeof k === 'number') v = v[k];
    else return undefined;
  }
  return v;
}

export interface ReadPthOptions {
  /** Where the state dict is (dict keys from the root); default: findStateDict. */
  path?: PyPath;
  /** Widen F16/BF16 tensors to F32. */
  halfToF32?: boolean;
  /** Name used in errors when `input` is bytes. */
  name?: string;
}

export interface PthStateDict {
  tensors: TensorMap;
  /** Where the state dict was found inside the checkpoint. */
  path: PyPath;
  format: 'zip' | 'legacy';
}

/** Reads the state dict of a .pth file into named raw tensors. */
export function readPth(input: string | Uint8Array, opts: ReadPthOptions = {}): PthStateDict {
  const ckpt = openPth(input, opts.name);
  try {
    let path: PyPath;
    let dict: PyValue | undefined;
    if (opts.path) {
      path = opts.path;
      dict = pyGet(ckpt.root, path);
      if (dict === undefined || !isTensorDict(dict)) throw new Error(`${ckpt.name}: no dict of tensors at ${JSON.stringify(path)}`);
    } else {
      const found = findStateDict(ckpt.root);
      if (!found) throw new Error(`${ckpt.name}: no state dict (dict of tensors) found in the checkpoint`);
      ({ path, dict } = found);
    }
    const tensors: TensorMap = new Map();
    for (const [k, ref] of dict as Map<string, TensorRef>) {
      const t = ckpt.load(ref);
      tensors.set(k, opts.halfToF32 && (t.dtype === 'F16' || t.dtype === 'BF16') ? asF32(t) : t);
    }
    return { tensors, path, format: ckpt.format };
  } finally {
    ckpt.close();
  }
}
