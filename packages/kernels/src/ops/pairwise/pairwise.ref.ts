/** float64 references of pairwise.wgsl. */
export function gramDistancesRef(g: ArrayLike<number>, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] = i === j ? 0 : Math.sqrt(Math.max(0, g[i * m + i] + g[j * m + j] - 2 * g[i * m + j]));
  return out;
}

export function cutAffinityRef(v: ArrayLike<number>, s: ArrayLike<number>, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] = i === j ? 0 : (1 - v[i * m + j]) * s[i] * s[j];
  return out;
}
