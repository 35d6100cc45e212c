/** float64 reference of boxVote: [outer, len, inner] -> [outer, len + spread - 1, inner]. */
export function boxVoteRef(x: ArrayLike<number>, outer: number, len: number, inner: number, spread: number): Float64Array {
  const cells = len + spread - 1;
  const out = new Float64Array(outer * cells * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < len; k++) {
      for (let c = k; c < k + spread; c++) {
        for (let i = 0; i < inner; i++) out[(o * cells + c) * inner + i] += x[(o * len + k) * inner + i];
      }
    }
  }
  return out;
}

/** Votes cell x of an axis with `len` patches gets. */
export function voteCount(x: number, len: number, spread: number): number {
  return Math.min(len - 1, x) - Math.max(0, x - spread + 1) + 1;
}

/** float64 reference of boxVoteNormalize. */
export function boxVoteNormalizeRef(x: ArrayLike<number>, lens: readonly number[], spread: number, channels = 1): Float64Array {
  const cells = lens.map((l) => l + spread - 1);
  const total = cells.reduce((a, b) => a * b, 1) * channels;
  const out = new Float64Array(total);
  for (let idx = 0; idx < total; idx++) {
    let r = Math.floor(idx / channels);
    let c = 1;
    for (let a = cells.length - 1; a >= 0; a--) {
      c *= voteCount(r % cells[a], lens[a], spread);
      r = Math.floor(r / cells[a]);
    }
    out[idx] = x[idx] / (c + 1e-4);
  }
  return out;
}
