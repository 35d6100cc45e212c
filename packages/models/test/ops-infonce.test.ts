import { describe, it, beforeAll, expect } from 'vitest';
import { getGpu, type Gpu, testing } from '@exif-lang/kernels';
import { gradcheck, tensor, noGrad, scope, keep, backward, ops, type Tensor } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const r = (n: number, seed: number) => testing.randUniform(n, seed);

/** Float64 symmetric InfoNCE on the host. */
function infoNceRef(img: Float32Array, txt: Float32Array, B: number, E: number, s: number): { loss: number; accI: number; accT: number } {
  const norm = (x: Float32Array) => Array.from({ length: B }, (_, i) => {
    const row = Array.from(x.subarray(i * E, (i + 1) * E));
    const n = Math.sqrt(row.reduce((a, v) => a + v * v, 0));
    return row.map((v) => v / n);
  });
  const a = norm(img);
  const b = norm(txt);
  const L = a.map((ra) => b.map((rb) => s * ra.reduce((acc, v, k) => acc + v * rb[k], 0)));
  const ce = (rows: number[][]) => rows.reduce((acc, row, i) => {
    const m = Math.max(...row);
    return acc + m + Math.log(row.reduce((q, v) => q + Math.exp(v - m), 0)) - row[i];
  }, 0) / B;
  const Lt = L[0].map((_, j) => L.map((row) => row[j]));
  const acc = (rows: number[][]) => rows.filter((row, i) => row.indexOf(Math.max(...row)) === i).length / B;
  return { loss: (ce(L) + ce(Lt)) / 2, accI: acc(L), accT: acc(Lt) };
}

describe('infoNce', () => {
  const B = 5;
  const E = 7;
  it('loss and accuracies equal the float64 reference (fixed and tensor scale)', async () => {
    const img = r(B * E, 1);
    const txt = r(B * E, 2);
    for (const s of [100, 3.5]) {
      const ref = infoNceRef(img, txt, B, E, s);
      for (const [fused, useTensor] of [[true, false], [true, true], [false, false], [false, true]]) {
        const out = noGrad(() => scope(() => {
          const scale = useTensor ? tensor(gpu, [Math.log(s)], []) : s;
          const res = (fused ? ops.infoNce : ops.infoNceComposite)(tensor(gpu, img, [B, E]), tensor(gpu, txt, [B, E]), scale);
          return { loss: keep(res.loss), accI: keep(res.accImage), accT: keep(res.accText) };
        }));
        expect(await out.loss.item()).toBeCloseTo(ref.loss, s === 100 ? 3 : 5);
        expect(await out.accI.item()).toBeCloseTo(ref.accI, 6);
        expect(await out.accT.item()).toBeCloseTo(ref.accT, 6);
        for (const t of Object.values(out)) t.dispose();
      }
    }
  });

  it('fused op: gradients equal the composite ones (fixed scale, and learned log-scale), scaled by the incoming gradient', async () => {
    const img = tensor(gpu, r(B * E, 7), [B, E]);
    const txt = tensor(gpu, r(B * E, 8), [B, E]);
    const ls = tensor(gpu, [Math.log(7)], []);
    for (const t of [img, txt, ls]) t.requiresGrad = true;
    const grads = async (fn: typeof ops.infoNce, scale: number | Tensor) => {
      const loss = scope(() => keep(ops.scale(fn(img, txt, scale).loss, 2.5)));
      backward(loss);
      const g = [await img.grad!.data(), await txt.grad!.data(), ...(typeof scale === 'number' ? [] : [await ls.grad!.data()])];
      for (const t of [img, txt, ls]) {
        t.grad?.dispose();
        t.grad = null;
      }
      loss.dispose();
      return g;
    };
    for (const scale of [7, ls]) {
      const [a, b] = [await grads(ops.infoNce, scale), await grads(ops.infoNceComposite, scale)];
      a.forEach((g, k) => testing.assertClose(g, b[k], { atol: 1e-5, rtol: 1e-4, label: `grad ${k}` }));
    }
    for (const t of [img, txt, ls]) t.dispose();
  });

  it('gradcheck: embeddings at a fixed scale', async () => {
    await gradcheck(gpu, (a: Tensor, b: Tensor) => ops.infoNce(a, b, 4).loss, [
      { data: r(B * E, 3), shape: [B, E] },
      { data: r(B * E, 4), shape: [B, E] },
    ], { maxElements: 12, eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  });

  it('gradcheck: embeddings and the learned log-scale', async () => {
    await gradcheck(gpu, (a: Tensor, b: Tensor, ls: Tensor) => ops.infoNce(a, b, ls).loss, [
      { data: r(B * E, 5), shape: [B, E] },
      { data: r(B * E, 6), shape: [B, E] },
      { data: Float32Array.of(Math.log(3)), shape: [] },
    ], { maxElements: 12, eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  });
});
