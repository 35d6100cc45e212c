import { testing, type Gpu } from '@exif-lang/kernels';
import type { Tensor } from '../tensor/tensor.ts';
import { tensor } from '../tensor/create.ts';
import { scope, keep } from '../tensor/scope.ts';
import { backward } from './tape.ts';
import { noGrad } from './grad-mode.ts';

/**
 * Finite-difference gradient check. For a random cotangent R (fixed seed), compares the
 * analytic gradient of L = sum(fn(xs) * R) (one backward) with central differences
 * (L(x + eps e_i) - L(x - eps e_i)) / 2eps, the loss accumulated in float64 on the host.
 * Forward passes run in float32 on the GPU, so eps is large-ish (1e-2 by default) and the
 * tolerances are relative; a wrong index or a missing term shows up as an O(1) error.
 */
export interface GradcheckInput {
  data: Float32Array;
  shape: readonly number[];
  /** default true */
  requiresGrad?: boolean;
  /** u32 inputs (ids, masks): passed through, never differentiated */
  dtype?: 'f32' | 'u32';
}

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** check at most this many elements per input (a seeded sample, always incl. first and last) */
  maxElements?: number;
  seed?: number;
  label?: string;
}

function makeInputs(gpu: Gpu, inputs: readonly GradcheckInput[], grad: boolean, override?: { k: number; data: Float32Array }): Tensor[] {
  return inputs.map((inp, k) => {
    const t = tensor(gpu, override && override.k === k ? override.data : inp.data, inp.shape, inp.dtype ?? 'f32');
    t.requiresGrad = grad && (inp.requiresGrad ?? true) && (inp.dtype ?? 'f32') === 'f32';
    return t;
  });
}

async function lossAt(gpu: Gpu, fn: (...xs: Tensor[]) => Tensor, inputs: readonly GradcheckInput[], r: Float32Array, k: number, data: Float32Array): Promise<number> {
  const y = noGrad(() => scope(() => keep(fn(...makeInputs(gpu, inputs, false, { k, data })))));
  const v = await y.data();
  y.dispose();
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * r[i];
  return s;
}

export async function gradcheck(gpu: Gpu, fn: (...xs: Tensor[]) => Tensor, inputs: readonly GradcheckInput[], opts: GradcheckOptions = {}): Promise<void> {
  const { eps = 1e-2, atol = 1e-3, rtol = 1e-2, maxElements = 24, seed = 1234, label = 'gradcheck' } = opts;
  // Analytic gradients.
  const leaves = makeInputs(gpu, inputs, true);
  const y = scope(() => keep(fn(...leaves)));
  const r = testing.randNormal(y.size, seed);
  const rT = tensor(gpu, r, y.shape);
  backward(y, { grad: rT });
  rT.dispose();
  y.dispose();
  const analytic: (Float32Array | null)[] = [];
  for (const leaf of leaves) {
    analytic.push(leaf.grad ? await leaf.grad.data() : null);
    leaf.grad?.dispose();
    leaf.dispose();
  }
  // Numerical gradients.
  const pick = testing.rng(seed + 1);
  for (let k = 0; k < inputs.length; k++) {
    const inp = inputs[k];
    if (!(inp.requiresGrad ?? true) || (inp.dtype ?? 'f32') !== 'f32') continue;
    const a = analytic[k];
    if (!a) throw new Error(`${label}: input ${k} got no gradient`);
    const n = inp.data.length;
    const idx = new Set<number>([0, n - 1]);
    if (n <= maxElements) for (let i = 0; i < n; i++) idx.add(i);
    else while (idx.size < maxElements) idx.add(Math.floor(pick() * n));
    for (const i of idx) {
      const d = Float32Array.from(inp.data);
      d[i] = inp.data[i] + eps;
      const lp = await lossAt(gpu, fn, inputs, r, k, d);
      d[i] = inp.data[i] - eps;
      const lm = await lossAt(gpu, fn, inputs, r, k, d);
      const num = (lp - lm) / (2 * eps);
      const err = Math.abs(a[i] - num);
      if (!(err <= atol + rtol * Math.abs(num))) {
        throw new Error(`${label}: input ${k} element ${i}: analytic ${a[i]} vs numerical ${num} (|diff| ${err.toExponential(2)} > atol ${atol} + rtol ${rtol})`);
      }
    }
  }
}
