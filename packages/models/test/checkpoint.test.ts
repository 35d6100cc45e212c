// safetensors and .pth readers: round trips, corrupt files, and PyTorch-written fixtures
// (scripts/parity/make_pth_fixtures.py) compared bit for bit with their safetensors twins.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DTYPE_BYTES, encodeSafetensors, findStateDict, halfToFloat, openPth, readPth, readSafetensors, readSafetensorsHeader,
  MemorySource, TensorRef, unpickle, writeSafetensors, type PyValue, type RawTensor, type TensorMap,
} from '../src/checkpoint/index.ts';

const FIX = join(import.meta.dirname, 'fixtures');
const PTH = join(FIX, 'pth');
const tmp = mkdtempSync(join(tmpdir(), 'exiflang-ckpt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function bytesOf(t: RawTensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function expectSameTensors(a: TensorMap, b: TensorMap): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [k, t] of a) {
    const u = b.get(k)!;
    expect({ k, dtype: t.dtype, shape: t.shape }).toEqual({ k, dtype: u.dtype, shape: u.shape });
    expect(bytesOf(t).equals(bytesOf(u)), k).toBe(true);
  }
}

function sample(): TensorMap {
  return new Map<string, RawTensor>([
    ['w', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, NaN, Infinity, -0]) }],
    ['h', { dtype: 'F16', shape: [3], data: Uint16Array.from([0x3c00, 0xc100, 0x7bff]) }],
    ['b', { dtype: 'BF16', shape: [2], data: Uint16Array.from([0x3f80, 0xc040]) }],
    ['steps', { dtype: 'I64', shape: [], data: BigInt64Array.from([123456789012345n]) }],
    ['ids', { dtype: 'I32', shape: [2, 2], data: Int32Array.from([1, -2, 3, 4]) }],
    ['mask', { dtype: 'U8', shape: [3], data: Uint8Array.from([1, 0, 1]) }],
    ['none', { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) }],
    ['d', { dtype: 'F64', shape: [1], data: Float64Array.from([Math.PI]) }],
  ]);
}

describe('safetensors', () => {
  it('round-trips every dtype, scalars, empty tensors and metadata', () => {
    const meta = { config: JSON.stringify({ dim: 32 }), step: '17' };
    const file = encodeSafetensors(sample(), meta);
    const back = readSafetensors(file);
    expectSameTensors(back.tensors, sample());
    expect(back.metadata).toEqual(meta);
  });

  it('aligns the data buffer to 8 bytes and each tensor to its element size', () => {
    const file = encodeSafetensors(sample());
    const h = readSafetensorsHeader(new MemorySource(file));
    expect(h.dataStart % 8).toBe(0);
    for (const e of h.entries) expect(e.begin % DTYPE_BYTES[e.dtype]).toBe(0);
  });

  it('widens F16/BF16 to F32 on request, exactly', () => {
    const t = readSafetensors(encodeSafetensors(sample()), { halfToF32: true }).tensors;
    expect(t.get('h')!.dtype).toBe('F32');
    expect([...t.get('h')!.data]).toEqual([1, -2.5, 65504]);
    expect([...t.get('b')!.data]).toEqual([1, -3]);
    expect(t.get('steps')!.dtype).toBe('I64');
  });

  it('writes atomically: no temp files left, an existing file is replaced whole', () => {
    const path = join(tmp, 'atomic.safetensors');
    writeFileSync(path, 'old contents');
    writeSafetensors(path, sample(), { step: '1' });
    expect(readdirSync(tmp).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(readSafetensors(path).metadata.step).toBe('1');
  });

  it('reads a file written by the Python fixture script', () => {
    const io = readSafetensors(join(FIX, 'parity-small', 'io.safetensors'));
    const cfg = JSON.parse(io.metadata.config) as { batch: number; patch: number; image_layout: string };
    expect(cfg.image_layout).toBe('NHWC');
    expect(io.tensors.get('input.image')!.shape).toEqual([cfg.batch, cfg.patch, cfg.patch, 3]);
    expect(io.tensors.get('train.loss')!.shape).toEqual([]);
  });

  describe('rejects corrupt files with errors naming the file', () => {
    const good = encodeSafetensors(sample());
    const header = (json: object, data = new Uint8Array(0)) => {
      const h = new TextEncoder().encode(JSON.stringify(json));
      const out = new Uint8Array(8 + h.byteLength + data.byteLength);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.byteLength), true);
      out.set(h, 8);
      out.set(data, 8 + h.byteLength);
      return out;
    };
    const bad = (bytes: Uint8Array, pattern: RegExp) => {
      const path = join(tmp, 'bad.safetensors');
      writeFileSync(path, bytes);
      expect(() => readSafetensors(path)).toThrow(new RegExp(`bad\\.safetensors.*${pattern.source}`));
    };
    it('truncated', () => {
      bad(good.subarray(0, 5), /truncated/);
      bad(good.subarray(0, 20), /truncated/);
      bad(good.subarray(0, good.byteLength - 3), /out of range|truncated/);
    });
    it('header too large', () => {
      const b = good.slice();
      new DataView(b.buffer).setBigUint64(0, 1n << 40n, true);
      bad(b, /header too large/);
    });
    it('not JSON, unknown dtype, bad shapes and offsets', () => {
      bad(header({ x: 1 }).map((v, i) => (i === 8 ? 0x5b : v)), /does not start with/);
      bad(header({ a: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /unknown dtype "F8"/);
      bad(header({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /bad shape/);
      bad(header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), /needs 8/);
      bad(header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)), /out of range/);
    });
    it('overlapping offsets, holes and trailing bytes', () => {
      const two = (b: number[]) => header({
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [1], data_offsets: b },
      }, new Uint8Array(12));
      bad(two([4, 8]), /overlap/);
      bad(header({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /hole/);
      bad(header({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)), /trailing/);
    });
    it('non-string metadata', () => {
      bad(header({ __metadata__: { step: 3 } }), /__metadata__\.step is not a string/);
    });
  });
});

const FORMATS = ['tiny.pth', 'tiny-p4.pth', 'tiny-legacy.pth'];
const expected = JSON.parse(readFileSync(join(PTH, 'tiny-expected.json'), 'utf8')) as {
  keys: string[];
  optimizer_param_groups: Record<string, unknown>[];
  optimizer_state_keys: number[];
  adam_exp_avg_0: number[][];
};
const twin = readSafetensors(join(PTH, 'tiny.safetensors')).tensors;

describe.each(FORMATS)('.pth reader on %s', (file) => {
  it('reads the state dict bit for bit equal to the safetensors twin (views materialised)', () => {
    const r = readPth(join(PTH, file));
    expect(r.format).toBe(file.includes('legacy') ? 'legacy' : 'zip');
    expect(r.path).toEqual(['state_dict']);
    expect([...r.tensors.keys()]).toEqual(expected.keys);
    expectSameTensors(r.tensors, twin);
    const t = r.tensors;
    expect(t.get('scalar')!.shape).toEqual([]);
    expect(t.get('empty')!.shape).toEqual([0, 3]);
    // The transposed view really is the transpose of the base (not a reinterpretation).
    const base = t.get('base')!.data as Float32Array;
    const tr = t.get('transposed')!.data as Float32Array;
    expect(tr[1 * 6 + 2]).toBe(base[2 * 5 + 1]);
    expect([...(t.get('strided')!.data as Float32Array)]).toEqual([base[5], base[8], base[15], base[18], base[25], base[28]]);
  });

  it('keeps float16 bits and widens them exactly on request', () => {
    const h = readPth(join(PTH, file)).tensors.get('f16')!;
    expect(h.dtype).toBe('F16');
    const f = readPth(join(PTH, file), { halfToF32: true }).tensors.get('f16')!;
    expect(f.dtype).toBe('F32');
    expect([...f.data]).toEqual([...(h.data as Uint16Array)].map(halfToFloat));
    expect([...f.data].slice(0, 5)).toEqual([0, -0, 1, -2.5, 65504]);
    expect(f.data[7]).toBe(Infinity);
  });

  it('returns the whole checkpoint structure (ints, big ints, floats, bytes, optimizer state)', () => {
    const c = openPth(join(PTH, file));
    try {
      const root = c.root as Map<string, PyValue>;
      expect(root.get('epoch')).toBe(3);
      const meta = root.get('meta') as Map<string, PyValue>;
      expect(meta.get('big')).toBe(2n ** 70n);
      expect(meta.get('neg')).toBe(-5);
      expect(meta.get('flags')).toEqual([true, false, null]);
      expect(meta.get('pair')).toEqual([1, 2.5]);
      expect([...(meta.get('raw') as Uint8Array)]).toEqual([97, 98, 99]);
      const opt = root.get('optimizer') as Map<string, PyValue>;
      const group = (opt.get('param_groups') as Map<string, PyValue>[])[0];
      expect(Object.fromEntries(group)).toEqual(expected.optimizer_param_groups[0]);
      const state = opt.get('state') as Map<number, Map<string, PyValue>>;
      expect([...state.keys()]).toEqual(expected.optimizer_state_keys);
      const expAvg = c.load(state.get(0)!.get('exp_avg') as TensorRef);
      expect([...expAvg.data]).toEqual(expected.adam_exp_avg_0.flat());
      const param = (root.get('state_dict') as Map<string, PyValue>).get('param') as TensorRef;
      expect(param.requiresGrad).toBe(true);
      expect(findStateDict(c.root)!.path).toEqual(['state_dict']);
    } finally {
      c.close();
    }
  });
});

describe('.pth reader errors and variants', () => {
  const tiny = new Uint8Array(readFileSync(join(PTH, 'tiny.pth')));

  it('reads a re-zipped (deflated) archive', () => {
    const files = unzipSync(tiny);
    const deflated = zipSync(files, { level: 6 });
    expectSameTensors(readPth(deflated, { name: 'deflated.pth' }).tensors, twin);
  });

  it('names the file on a truncated archive and on non-checkpoints', () => {
    expect(() => readPth(tiny.subarray(0, tiny.byteLength >> 1), { name: 'half.pth' })).toThrow(/half\.pth/);
    expect(() => readPth(new TextEncoder().encode('hello world'), { name: 'text.pth' })).toThrow(/text\.pth: not a PyTorch checkpoint/);
  });

  it('refuses globals outside the allow-list, naming file and global (never executes them)', () => {
    // protocol 2: GLOBAL 'os system', then ('echo hi',) REDUCE, STOP
    const evil = new Uint8Array([0x80, 0x02, ...new TextEncoder().encode('cos\nsystem\n'), 0x58, 7, 0, 0, 0,
      ...new TextEncoder().encode('echo hi'), 0x85, 0x52, 0x2e]);
    const zip = zipSync({ 'evil/data.pkl': evil, 'evil/version': new TextEncoder().encode('3\n') }, { level: 0 });
    expect(() => openPth(zip, 'evil.pth')).toThrow(/evil\.pth.*pickle global os\.system is not allowed/);
  });

  it('refuses unsupported opcodes and truncated pickles with the opcode and position', () => {
    const opts = { name: 'x.pkl', findGlobal: (): never => { throw new Error('no'); } };
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0x49, 0x31, 0x0a, 0x2e]), opts)).toThrow(/x\.pkl: unsupported pickle opcode 0x49 'I' \(INT\) at byte 2/);
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0x58, 9, 0, 0, 0, 0x61]), opts)).toThrow(/x\.pkl: truncated pickle/);
    expect(unpickle(new Uint8Array([0x80, 0x02, 0x8a, 0x02, 0xff, 0x7f, 0x2e]), opts).value).toBe(0x7fff);
    expect(unpickle(new Uint8Array([0x80, 0x02, 0x8a, 0x01, 0xfe, 0x2e]), opts).value).toBe(-2);
  });
});
