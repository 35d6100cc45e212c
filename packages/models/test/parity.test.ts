import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runParity, describeParity, bound64, gradGroup, type ParityResult } from './parity-run.ts';

/**
 * Parity with PyTorch 1.13 (scripts/parity/README.md): issue 3's measure, max |ours - torch| /
 * max |torch| per tensor: 1e-4 for embeddings, loss and BN statistics, 1e-3 for gradients.
 *
 * Exceptions, each for a reason measured rather than assumed:
 * - The key bias of every attention layer has an exactly zero gradient (it adds q.b_k to all
 *   logits of a query's row; softmax ignores that), so both sides hold rounding noise (~1e-10):
 *   it must be negligible next to the same layer's key-weight gradient instead.
 * - Logits are 100 * cosine; their error is judged on the cosine (divided by the scale, 100),
 *   since with near-orthogonal random embeddings max |logit| is far below the scale.
 * - Full size only: the image tower's parameter gradients are not reproducible to 1e-3 by
 *   PyTorch float32 itself. Of the ~12M ReLU inputs of a ResNet-50 step at batch 4, a few lie
 *   within float32 rounding of zero, and each implementation's rounding (PyTorch with 1 or 2
 *   threads, with or without oneDNN, PyTorch float64, ours) sends a different few to the other
 *   side; each flip changes the gradient of every layer before it by ~1e-2 of its max (one term
 *   of sums that cancel), and train-mode BN spreads it over whole channels (up to 0.4). PyTorch
 *   float32 misses 1e-3 against float64 on all 159 image conv/BN gradients with BN on batch
 *   statistics, and on 4-155 of them with BN frozen (scripts/parity/README.md). So at full
 *   size every gradient is judged against PyTorch float64 instead: ours may be at most
 *   NOISE_FACTOR (3) times PyTorch float32's own worst error over its 12 runs (thread counts,
 *   oneDNN on/off, inputs moved by +-1 ulp), in max and in L2 relative terms, and is never
 *   required below 1e-3 (parity-run.ts `bound64`); the text tower and the fc head, which the
 *   backward of a flip never reaches, must also meet 1e-3 against float64 literally.
 * Wherever the fixture has ref64.safetensors (the committed small one too), embeddings, loss
 * and BN statistics must also be within 1e-4 of float64, and the gradients within that bound
 * (at small size: 1e-3, PyTorch's floor there is ~5e-5).
 */
const ZERO_GRADIENT = /attention\.k_lin\.bias$/;
const LOGIT_SCALE = 100;

function check(r: ParityResult, fullSize: boolean): void {
  console.log(describeParity(r));
  for (const d of r.outputs) {
    const err = d.key === 'train.logits_per_image' ? d.maxAbsDiff / LOGIT_SCALE : d.relative;
    expect(err, d.key).toBeLessThanOrEqual(1e-4);
  }
  expect(r.bn.missing).toEqual([]);
  expect(r.bn.diffs.length).toBeGreaterThan(0);
  expect(r.bn.failures.map((d) => d.key)).toEqual([]);
  for (const c of r.counters) expect(c.actual, c.key).toBe(c.expected);
  expect(r.grads.missing).toEqual([]);
  // Against the float32 fixture: everything at small size; at full size the gradients behind
  // no ReLU/BN (text tower, fc head), the image tower only against float64 below.
  const imageTower = (key: string) => fullSize && key.startsWith('image.') && !key.startsWith('image.fc.');
  const strict = r.grads.failures.filter((d) => !ZERO_GRADIENT.test(d.key) && !imageTower(d.key));
  expect(strict.map((d) => `${d.key} ${d.relative}`)).toEqual([]);
  for (const d of r.grads.diffs.filter((x) => ZERO_GRADIENT.test(x.key))) {
    const w = r.grads.diffs.find((x) => x.key === d.key.replace(/bias$/, 'weight'))!;
    expect(d.maxAbsDiff, d.key).toBeLessThan(1e-5 * w.maxAbsExpected);
  }

  if (fullSize) expect(r.ref64, 'full size needs ref64.safetensors: regenerate with scripts/parity/make_parity.py').not.toBeNull();
  if (!r.ref64) return;
  const ref = r.ref64;
  for (const d of ref.outputs) {
    // the logits' maximum is the scale, not max |logit| (see above)
    const err = d.key === 'train.logits_per_image' ? d.ours.diff / LOGIT_SCALE : d.ours.max;
    expect(err, `${d.key} vs float64`).toBeLessThanOrEqual(1e-4);
  }
  expect(ref.bn.length).toBe(r.bn.diffs.length);
  expect(ref.bn.filter((d) => !(d.ours.max <= 1e-4)).map((d) => `${d.key} ${d.ours.max}`)).toEqual([]);
  expect(ref.grads.length).toBe(r.grads.diffs.length);
  // The stored noise floor belongs to this reference: the fixture's own run, stored by Python,
  // equals its error recomputed here from grads.safetensors + delta64 (float32 rounding apart).
  // Not for the zero gradients: their float64 value (~1e-20) is below the rounding of a delta
  // the size of the float32 noise (~1e-10), so the reconstructed reference is only ~0 there.
  const own = ref.fixtureRun;
  for (const d of [...ref.outputs, ...ref.bn, ...ref.grads.filter((x) => gradGroup(x.key) !== 'zero')]) {
    expect(Math.abs(d.runs.max[own] - d.torch.max), d.key).toBeLessThanOrEqual(1e-6 * d.torch.max);
  }
  const over: string[] = [];
  for (const d of ref.grads) {
    const g = gradGroup(d.key);
    if (g === 'zero') continue; // checked above against the key weight's gradient
    const b = bound64(d);
    if (!(d.ours.max <= b.max && d.ours.l2 <= b.l2)) over.push(`${d.key}: max ${d.ours.max} (bound ${b.max}), l2 ${d.ours.l2} (bound ${b.l2})`);
    if ((g === 'text' || g === 'fc') && !(d.ours.max <= 1e-3)) over.push(`${d.key}: ${d.ours.max} > 1e-3 against float64`);
  }
  expect(over).toEqual([]);
}

const SMALL = fileURLToPath(new URL('./fixtures/parity-small', import.meta.url));

describe('PyTorch parity', () => {
  it('small fixture: eval/train embeddings, loss, BN running stats, every gradient within 1e-3', async () => {
    check(await runParity(SMALL, 2), false);
  }, 600_000);

  // Opt-in, a few minutes on lavapipe (ResNet-50 + DistilBERT-base, scripts/parity/make_parity.py):
  // EXIFLANG_PARITY_FULL=.cache/parity-full (--preset full: the training step with BN on batch
  // statistics, as the paper trains) and EXIFLANG_PARITY_FULL_EVAL_BN=.cache/parity-full-eval-bn
  // (--preset full-eval-bn: the same model and inputs with BN frozen: no batch coupling, a floor
  // 13x lower, and eval-mode BN backward at full size).
  for (const [env, what] of [['EXIFLANG_PARITY_FULL', 'BN on batch statistics'], ['EXIFLANG_PARITY_FULL_EVAL_BN', 'BN frozen']] as const) {
    const dir = process.env[env];
    it.skipIf(!dir || !existsSync(`${dir}/model.pth`))(`full size, ${what} (${env})`, async () => {
      check(await runParity(dir!, 12), true);
    }, 3_600_000);
  }
});
