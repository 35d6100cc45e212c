import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, binary, binaryScalar, binaryRef, binaryOpRef, BINARY_OPS, ShapeError, type Gpu, type BinaryOp, testing } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const numel = (s: number[]) => s.reduce((x, y) => x * y, 1);

/** Inputs per op: ties for comparisons, denominators away from 0, pow bases/exponents with real results. */
function inputs(op: BinaryOp, na: number, nb: number, seed: number): [Float32Array, Float32Array] {
  const a = testing.randUniform(na, seed, -3, 3);
  const b = testing.randUniform(nb, seed + 1, -3, 3);
  if (op === 'div') for (let i = 0; i < nb; i++) b[i] = Math.sign(b[i] || 1) * (Math.abs(b[i]) + 0.25);
  else if (op === 'pow') {
    // odd seeds: bases of both signs with integral exponents; even seeds: positive bases, any exponent
    if (seed % 2 === 1) for (let i = 0; i < nb; i++) b[i] = Math.round(b[i]);
    else for (let i = 0; i < na; i++) a[i] = Math.abs(a[i]) + 0.1;
  } else if (op !== 'add' && op !== 'sub' && op !== 'mul') {
    // coarse values so that eq/le/ge/maximum see exact ties
    for (let i = 0; i < na; i++) a[i] = Math.round(a[i] * 2) / 2;
    for (let i = 0; i < nb; i++) b[i] = Math.round(b[i] * 2) / 2;
  }
  return [a, b];
}

const TOL: Partial<Record<BinaryOp, { atol: number; rtol: number }>> = {
  pow: { atol: 1e-6, rtol: 4e-6 }, // exp2(e * log2|x|) in f32
};

async function check(op: BinaryOp, aShape: number[], bShape: number[], seed = 1): Promise<void> {
  const [a, b] = inputs(op, numel(aShape), numel(bShape), seed);
  const ab = gpu.upload(a, 'a');
  const bb = gpu.upload(b, 'b');
  const { out, shape } = binary(gpu, op, ab, aShape, bb, bShape);
  const want = binaryRef(op, a, aShape, b, bShape);
  expect(shape).toEqual(want.shape);
  const got = await gpu.readF32(out);
  // add/sub/mul/div of f32 values: one rounding (the f32 result), so ~1 ulp relative.
  testing.assertClose(got.subarray(0, want.out.length), want.out, { atol: 1e-30, rtol: 2.5e-7, ...TOL[op], label: `${op} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}` });
  ab.release();
  bb.release();
  out.release();
}

// [a, b] shape pairs covering every index mode: same shape, scalar, row, column, strided.
const CASES: [number[], number[]][] = [
  [[7, 13], [7, 13]], // same
  [[5, 9], []], // scalar b
  [[1], [4, 3]], // scalar a
  [[6, 11], [11]], // row
  [[2, 3, 7], [1, 7]], // row over collapsed leading dims
  [[7], [5, 7]], // row, a repeats
  [[6, 11], [6, 1]], // column
  [[6, 1], [6, 11]], // column, a per row
  [[3, 1, 5], [4, 1]], // both broadcast -> [3,4,5]
  [[2, 1, 3, 1, 5], [4, 1, 6, 1]], // 5-D strided (broadcast dims alternate)
  [[2, 1, 3, 1, 4, 1], [5, 1, 2, 1, 3]], // 6-D strided
  [[1, 1], [1]], // single element
  [[2, 1, 3, 2, 1, 2, 3], [2, 1, 3, 2, 1, 2, 3]], // 7-D, collapses to 1-D
  [[1, 3, 1, 2, 1, 4, 1], [2, 1, 3, 1, 2, 4, 1]], // 7-D, collapses to at most 6
];

describe('binary with broadcasting vs float64 reference', () => {
  for (const op of Object.keys(BINARY_OPS) as BinaryOp[]) {
    it(`${op}: strided, row and scalar broadcasts`, async () => {
      await check(op, [3, 1, 5], [4, 1], 1);
      await check(op, [6, 11], [11], 2);
      await check(op, [37], [], 3);
    });
  }
  for (const [aShape, bShape] of CASES) {
    it(`sub and div ${JSON.stringify(aShape)} with ${JSON.stringify(bShape)}`, async () => {
      await check('sub', aShape, bShape, 4);
      await check('div', aShape, bShape, 5);
    });
  }

  it('pow corner cases match torch.pow', async () => {
    const a = new Float32Array([0, 0, -2, -2, -2, 3, 2.5, 4, -0.5]);
    const b = new Float32Array([0, 2, 3, 2, -1, 0.5, 2, -1, 0]);
    const ab = gpu.upload(a);
    const bb = gpu.upload(b);
    const { out } = binary(gpu, 'pow', ab, [9], bb, [9]);
    const got = Array.from(await gpu.readF32(out));
    testing.assertClose(got, Array.from(a, (x, i) => binaryOpRef('pow', x, b[i])), { atol: 0, rtol: 4e-6 });
    expect(Number.isNaN(binaryOpRef('pow', -2, 0.5))).toBe(true);
    const { out: nan } = binary(gpu, 'pow', ab, [9], bb, [1]); // (-2)^0... uses b[0] = 0 -> all ones
    expect(Array.from(await gpu.readF32(nan))).toEqual(new Array(9).fill(1));
    for (const x of [ab, bb, out, nan]) x.release();
  });

  it('in place accumulation (grad += dy broadcast), x op x on one buffer, empty tensors', async () => {
    const g = testing.randUniform(4 * 6, 8);
    const d = testing.randUniform(6, 9);
    const gb = gpu.upload(g);
    const db = gpu.upload(d);
    const { out } = binary(gpu, 'add', gb, [4, 6], db, [6], { out: gb });
    expect(out).toBe(gb);
    testing.assertClose(await gpu.readF32(gb), binaryRef('add', g, [4, 6], d, [6]).out, { atol: 0, rtol: 1e-7 });
    const sq = binary(gpu, 'mul', db, [6], db, [6]);
    testing.assertClose(await gpu.readF32(sq.out), Array.from(d, (v) => v * v), { atol: 0, rtol: 1e-7 });
    binary(gpu, 'mul', db, [6], db, [6], { out: db });
    testing.assertClose(await gpu.readF32(db), Array.from(d, (v) => v * v), { atol: 0, rtol: 1e-7 });
    const e = binary(gpu, 'add', gb, [0, 6], gb, [6]);
    expect(e.shape).toEqual([0, 6]);
    await gpu.sync();
    for (const x of [gb, db, sq.out, e.out]) x.release();
  });

  it('scalar variants, reversed and in place', async () => {
    const x = testing.randUniform(301, 12, 0.5, 3);
    const xb = gpu.upload(x);
    for (const [op, c, reverse] of [['sub', 1.25, true], ['div', 0.75, false], ['div', 2, true], ['pow', -1.5, false], ['pow', 2, true], ['ge', 1.5, false], ['maximum', 1, false]] as [BinaryOp, number, boolean][]) {
      const y = binaryScalar(gpu, op, xb, x.length, c, { reverse });
      const want = Array.from(x, (v) => (reverse ? binaryOpRef(op, c, v) : binaryOpRef(op, v, c)));
      testing.assertClose(await gpu.readF32(y), want, { atol: 1e-7, rtol: 4e-6, label: `${op} ${c} ${reverse}` });
      y.release();
    }
    binaryScalar(gpu, 'mul', xb, x.length, -2, { out: xb });
    testing.assertClose(await gpu.readF32(xb), Array.from(x, (v) => -2 * v), { atol: 0, rtol: 1e-7 });
    xb.release();
  });

  it('rejects shapes that do not broadcast, short buffers and out aliasing b', () => {
    const a = gpu.alloc(4 * 12);
    const b = gpu.alloc(4 * 12);
    expect(() => binary(gpu, 'add', a, [3, 4], b, [3])).toThrow(ShapeError);
    expect(() => binary(gpu, 'add', a, [3, 5], b, [5])).toThrow(/holds 12/);
    expect(() => binary(gpu, 'add', a, [3, 4], b, [4], { out: b })).toThrow(/alias/);
    expect(() => binary(gpu, 'add', a, [4], b, [3, 4], { out: a })).toThrow(/in place/);
    a.release();
    b.release();
  });
});
