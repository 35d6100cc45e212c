/** Shared data and checks for the conv2d tests (GPU result vs the float64 reference). */
import { conv2dGeometry, testing, type Conv2dGeometry, type Conv2dShape, type Gpu, type GpuBuffer } from '../src/index.ts';

export interface ConvData {
  g: Conv2dGeometry;
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array;
  dy: Float32Array;
}

/** Seeded uniform(-1, 1) input, weights, bias and output gradient for `shape`. */
export function convData(shape: Conv2dShape, seed = 1): ConvData {
  const g = conv2dGeometry(shape);
  return {
    g,
    x: testing.randUniform(g.n * g.h * g.w * g.cin, seed),
    w: testing.randUniform(g.kh * g.kw * g.cin * g.cout, seed + 1),
    bias: testing.randUniform(g.cout, seed + 2),
    dy: testing.randUniform(g.n * g.oh * g.ow * g.cout, seed + 3),
  };
}

/** Uploads `arrays`, runs `fn` on the buffers, reads back its result and releases everything. */
export async function onGpu(gpu: Gpu, arrays: Float32Array[], fn: (bufs: GpuBuffer[]) => GpuBuffer): Promise<Float32Array> {
  const bufs = arrays.map((a, k) => gpu.upload(a, `test input ${k}`));
  const out = fn(bufs);
  const got = await gpu.readF32(out);
  for (const b of bufs) if (b !== out) b.release();
  out.release();
  return got;
}

/** Readable one-line description of a shape for test names. */
export function shapeName(s: Conv2dShape): string {
  const g = conv2dGeometry(s);
  const pair = (a: number, b: number) => (a === b ? `${a}` : `${a}x${b}`);
  return `x[${g.n},${g.h},${g.w},${g.cin}] k${g.kh}x${g.kw} cout ${g.cout} s${pair(g.sh, g.sw)} p${pair(g.ph, g.pw)} d${pair(g.dh, g.dw)} -> ${g.oh}x${g.ow}`;
}
