/**
 * Parity comparison of named tensors against PyTorch's (the fixtures of scripts/parity/).
 * The measure is issue 3's: max |actual - expected| / max |expected| per tensor, so a
 * tensor's tolerance scales with its own magnitude (gradients of different layers differ by
 * orders of magnitude).
 */
import { toFloat32, type RawTensor, type TensorMap } from './tensor.ts';

export interface TensorDiff {
  key: string;
  maxAbsDiff: number;
  maxAbsExpected: number;
  /** maxAbsDiff / maxAbsExpected (0 when both are exactly equal; Infinity on NaN or shape mismatch). */
  relative: number;
}

export interface ParityReport {
  diffs: TensorDiff[];
  /** Diffs above the tolerance, worst first. */
  failures: TensorDiff[];
  /** Expected keys without an actual tensor. */
  missing: string[];
  worst: TensorDiff | null;
}

export function relativeError(expected: RawTensor | Float32Array, actual: RawTensor | Float32Array): Omit<TensorDiff, 'key'> {
  const e = expected instanceof Float32Array ? expected : toFloat32(expected);
  const a = actual instanceof Float32Array ? actual : toFloat32(actual);
  const shapeOk = !('shape' in expected && 'shape' in actual) || expected.shape.join() === actual.shape.join();
  if (!shapeOk || e.length !== a.length) return { maxAbsDiff: Infinity, maxAbsExpected: NaN, relative: Infinity };
  let diff = 0;
  let mag = 0;
  for (let i = 0; i < e.length; i++) {
    const d = Math.abs(a[i] - e[i]);
    if (Number.isNaN(d)) return { maxAbsDiff: NaN, maxAbsExpected: NaN, relative: Infinity };
    if (d > diff) diff = d;
    const m = Math.abs(e[i]);
    if (m > mag) mag = m;
  }
  return { maxAbsDiff: diff, maxAbsExpected: mag, relative: diff === 0 ? 0 : diff / mag };
}

/**
 * Compares `actual` against every tensor of `expected` whose key starts with `prefix`
 * (the prefix is stripped to find the actual key: `grad.image.fc.weight` -> `image.fc.weight`).
 */
export function compareTensors(expected: TensorMap, actual: TensorMap, opts: { tolerance: number; prefix?: string }): ParityReport {
  const prefix = opts.prefix ?? '';
  const diffs: TensorDiff[] = [];
  const missing: string[] = [];
  for (const [k, e] of expected) {
    if (!k.startsWith(prefix)) continue;
    const key = k.slice(prefix.length);
    const a = actual.get(key);
    if (!a) {
      missing.push(key);
      continue;
    }
    diffs.push({ key, ...relativeError(e, a) });
  }
  const failures = diffs.filter((d) => !(d.relative <= opts.tolerance)).sort((x, y) => y.relative - x.relative);
  const worst = diffs.reduce<TensorDiff | null>((w, d) => (!w || !(d.relative <= w.relative) ? d : w), null);
  return { diffs, failures, missing, worst };
}
