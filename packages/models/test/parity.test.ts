import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runParity, describeParity, type ParityResult } from './parity-run.ts';

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
 * - Full size only: the image tower's parameter gradients of a train-mode step are not
 *   reproducible to 1e-3 by PyTorch itself. With batch 4, BN's batch statistics couple every
 *   element of a channel, and a ReLU input that rounds to the other side of zero changes the
 *   gradient of its whole channel and of everything before it. PyTorch float32 with 1 vs 2
 *   threads (the fixture) differs by up to 0.13 on 159 of 255 gradients (26 ReLU sign flips),
 *   and PyTorch float32 vs float64 by up to 0.40; ours vs the fixture is in the same envelope.
 *   So at full size the image-tower gradients must point the same way (cosine >= 0.99, a
 *   missing or wrong term gives far less) and stay within 0.5 max-relative, while the text
 *   tower and the fc head must still meet 1e-3.
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
  const noisy = (key: string) => fullSize && key.startsWith('image.') && !key.startsWith('image.fc.');
  const strict = r.grads.failures.filter((d) => !ZERO_GRADIENT.test(d.key) && !noisy(d.key));
  expect(strict.map((d) => `${d.key} ${d.relative}`)).toEqual([]);
  for (const d of r.grads.diffs.filter((x) => noisy(x.key))) {
    expect(d.relative, d.key).toBeLessThan(0.5);
    expect(r.gradCosines.get(d.key)!, d.key).toBeGreaterThan(0.99);
  }
  for (const d of r.grads.diffs.filter((x) => ZERO_GRADIENT.test(x.key))) {
    const w = r.grads.diffs.find((x) => x.key === d.key.replace(/bias$/, 'weight'))!;
    expect(d.maxAbsDiff, d.key).toBeLessThan(1e-5 * w.maxAbsExpected);
  }
}

const SMALL = fileURLToPath(new URL('./fixtures/parity-small', import.meta.url));

describe('PyTorch parity', () => {
  it('small fixture: eval/train embeddings, loss, BN running stats, every gradient within 1e-3', async () => {
    check(await runParity(SMALL, 2), false);
  }, 600_000);

  // Opt-in, a few minutes on lavapipe: EXIFLANG_PARITY_FULL=.cache/parity-full (ResNet-50 +
  // DistilBERT-base, from scripts/parity/make_parity.py --preset full).
  const full = process.env.EXIFLANG_PARITY_FULL;
  it.skipIf(!full || !existsSync(`${full}/model.pth`))('full size (EXIFLANG_PARITY_FULL)', async () => {
    check(await runParity(full!, 12), true);
  }, 3_600_000);
});
