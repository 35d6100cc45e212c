/** Byte-picture differences for the browser test: the largest, the mean, and the share within a bound. */
export interface ByteDiff {
  max: number;
  mean: number;
  /** share of values with |a - b| <= bound */
  within(bound: number): number;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): ByteDiff {
  if (a.length !== b.length) throw new Error(`compareBytes: ${a.length} vs ${b.length} values`);
  const hist = new Float64Array(256);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    hist[d]!++;
    sum += d;
  }
  let max = 0;
  for (let d = 255; d >= 0; d--) if (hist[d]) { max = d; break; }
  return {
    max,
    mean: a.length ? sum / a.length : 0,
    within: (bound) => {
      let n = 0;
      for (let d = 0; d <= Math.min(bound, 255); d++) n += hist[d]!;
      return a.length ? n / a.length : 1;
    },
  };
}
