/**
 * A restricted unpickler: the binary opcodes (protocols 2-5) that torch.save emits for state
 * dicts and training checkpoints, and no others. Nothing is ever executed: every GLOBAL goes
 * through the caller's `findGlobal`, which returns a callable from an allow-list (or a plain
 * type marker) and throws for anything else. Reference: CPython Lib/pickletools.py (opcode
 * table) and PEP 307 / PEP 3154.
 *
 * Python values map to: None -> null, bool -> boolean, int -> number (bigint past 2^53),
 * float -> number, str -> string, bytes -> Uint8Array, list and tuple -> array, dict and
 * OrderedDict -> Map. Objects built by allowed globals are whatever their callable returns.
 */

export type PyKey = string | number | bigint | boolean | null;

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | Map<PyKey, PyValue>
  | PyGlobal
  | PyCallable
  | object;

/** A global resolved to a marker only (a type such as torch.FloatStorage); calling it is an error. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A global the loader allows to be called by REDUCE/NEWOBJ. */
export class PyCallable {
  constructor(readonly qualname: string, readonly call: (args: PyValue[]) => PyValue) {}
}

export interface UnpickleOptions {
  /** Shown in errors (the file, and the member inside an archive). */
  name: string;
  /** Resolves GLOBAL/STACK_GLOBAL; throws for anything not allowed. */
  findGlobal(module: string, name: string): PyGlobal | PyCallable;
  /** Resolves BINPERSID (torch: storages). */
  persistentLoad?(pid: PyValue): PyValue;
  /** Where to start in `bytes` (legacy .pth files hold several pickles back to back). */
  offset?: number;
}

export interface UnpickleResult {
  value: PyValue;
  /** Offset just past the STOP opcode. */
  end: number;
}

/** Names for the opcodes we reject, so errors say what the file wanted. */
const KNOWN_UNSUPPORTED: Record<number, string> = {
  0x49: 'INT', 0x4c: 'LONG', 0x53: 'STRING', 0x56: 'UNICODE', 0x46: 'FLOAT', 0x70: 'PUT', 0x67: 'GET',
  0x50: 'PERSID', 0x6f: 'OBJ', 0x69: 'INST', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET',
  0x92: 'NEWOBJ_EX', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

export class PickleError extends Error {}

function isKey(v: PyValue): v is PyKey {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
}

/** Two's complement little-endian integer (LONG1/LONG4 payload). */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.byteLength === 0) return 0;
  let x = 0n;
  for (let i = b.byteLength - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  if (b[b.byteLength - 1] & 0x80) x -= 1n << BigInt(8 * b.byteLength);
  return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
}

export function unpickle(bytes: Uint8Array, opts: UnpickleOptions): UnpickleResult {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8');
  let pos = opts.offset ?? 0;
  // MARK starts a fresh stack; the enclosing one waits on `marks` until the mark is popped.
  let stack: PyValue[] = [];
  const marks: PyValue[][] = [];
  const memo = new Map<number, PyValue>();

  const fail = (msg: string): never => {
    throw new PickleError(`${opts.name}: ${msg}`);
  };
  const need = (n: number): void => {
    if (pos + n > bytes.byteLength) fail(`truncated pickle (needs ${n} bytes at ${pos}, has ${bytes.byteLength - pos})`);
  };
  const u8 = (): number => { need(1); return bytes[pos++]; };
  const u16 = (): number => { need(2); const v = dv.getUint16(pos, true); pos += 2; return v; };
  const u32 = (): number => { need(4); const v = dv.getUint32(pos, true); pos += 4; return v; };
  const i32 = (): number => { need(4); const v = dv.getInt32(pos, true); pos += 4; return v; };
  const u64 = (): number => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.byteLength)) fail(`length ${v} exceeds the pickle`);
    return Number(v);
  };
  const take = (n: number): Uint8Array => { need(n); const b = bytes.subarray(pos, pos + n); pos += n; return b; };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('truncated pickle (unterminated GLOBAL line)');
    const s = utf8.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    if (stack.length === 0) fail(`stack underflow at byte ${pos - 1}`);
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0) fail(`empty stack at byte ${pos - 1}`);
    return stack[stack.length - 1];
  };
  const popMark = (): PyValue[] => {
    const items = stack;
    const prev = marks.pop();
    if (!prev) fail(`no MARK on the stack at byte ${pos - 1}`);
    stack = prev as PyValue[];
    return items;
  };
  const setItems = (d: PyValue, kv: PyValue[]): void => {
    if (!(d instanceof Map)) fail(`SETITEM(S) on a non-dict at byte ${pos - 1}`);
    const m = d as Map<PyKey, PyValue>;
    for (let i = 0; i + 1 < kv.length; i += 2) {
      const k = kv[i];
      if (!isKey(k)) fail(`unsupported dict key type at byte ${pos - 1}`);
      m.set(k as PyKey, kv[i + 1]);
    }
  };
  const appendItems = (l: PyValue, items: PyValue[]): void => {
    if (!Array.isArray(l)) fail(`APPEND(S) on a non-list at byte ${pos - 1}`);
    (l as PyValue[]).push(...items);
  };
  const call = (fn: PyValue, args: PyValue, op: string): PyValue => {
    if (!(fn instanceof PyCallable)) {
      const what = fn instanceof PyGlobal ? fn.qualname : typeof fn;
      return fail(`${op}: ${what} cannot be called in a restricted unpickler`);
    }
    if (!Array.isArray(args)) fail(`${op}: arguments of ${fn.qualname} are not a tuple`);
    return fn.call(args as PyValue[]);
  };
  const global = (module: string, name: string): PyValue => opts.findGlobal(module, name);

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO: any protocol; unknown opcodes are caught one by one
      case 0x95: take(8); break; // FRAME: framing hint only
      case 0x2e: { // STOP
        const value = pop();
        return { value, end: pos };
      }
      case 0x28: marks.push(stack); stack = []; break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(decodeLong(take(u8()))); break; // LONG1
      case 0x8b: stack.push(decodeLong(take(u32()))); break; // LONG4
      case 0x47: { need(8); stack.push(dv.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x58: stack.push(utf8.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(utf8.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8.decode(take(u64()))); break; // BINUNICODE8
      // Python 2 str (legacy checkpoints): bytes read as latin-1 text, as torch.load's default.
      case 0x54: stack.push(new TextDecoder('latin1').decode(take(u32()))); break; // BINSTRING
      case 0x55: stack.push(new TextDecoder('latin1').decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: stack.push(take(u64()).slice()); break; // BINBYTES8
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: { const items = popMark(); stack.push(items); break; } // TUPLE (popMark swaps `stack`: pop first)
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: { const items = popMark(); stack.push(items); break; } // LIST
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { const kv = popMark(); const m = new Map<PyKey, PyValue>(); setItems(m, kv); stack.push(m); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x63: { const module = line(); const name = line(); stack.push(global(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail(`STACK_GLOBAL with non-string names at byte ${at}`);
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: { const args = pop(); const fn = pop(); stack.push(call(fn, args, 'REDUCE')); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, args, 'NEWOBJ')); break; } // NEWOBJ
      case 0x62: { // BUILD
        const state = pop();
        const obj = top();
        // An OrderedDict state dict carries `_metadata` (per-module versions) as instance
        // state; nothing downstream needs it. Any other BUILD target is not a state dict.
        if (!(obj instanceof Map)) fail(`BUILD on an unsupported object at byte ${at}`);
        void state;
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) fail(`BINPERSID at byte ${at} but no persistent loader`);
        stack.push(opts.persistentLoad!(pid));
        break;
      }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const idx = op === 0x68 ? u8() : u32();
        if (!memo.has(idx)) fail(`memo ${idx} read before it was written (byte ${at})`);
        stack.push(memo.get(idx) as PyValue);
        break;
      }
      default: {
        const name = KNOWN_UNSUPPORTED[op] ?? 'unknown';
        const ch = op >= 0x20 && op < 0x7f ? ` '${String.fromCharCode(op)}'` : '';
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}${ch} (${name}) at byte ${at}`);
      }
    }
  }
}
