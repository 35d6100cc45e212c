/**
 * Cross-modal retrieval among N held-out images: each patch ranks the N texts (and each text
 * the N patches) by cosine similarity; top-1 counts a hit when the best match is its own pair.
 * Ties go to the lower index, so a collapsed model scores chance or less, never more. Chance
 * is 1/N.
 */

export interface RetrievalScores {
  n: number;
  /** patch -> its text */
  imageToText: number;
  /** text -> its patch */
  textToImage: number;
  chance: number;
}

function normalizeRows(x: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[i * d + k] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < d; k++) out[i * d + k] = x[i * d + k] * inv;
  }
  return out;
}

/** Top-1 both ways from row-major embeddings [n, d] (unnormalised). */
export function retrievalTop1(images: Float32Array, texts: Float32Array, n: number, d: number): RetrievalScores {
  if (images.length !== n * d || texts.length !== n * d) throw new Error(`retrievalTop1: expected ${n} x ${d} embeddings, got ${images.length} and ${texts.length} values`);
  const a = normalizeRows(images, n, d);
  const b = normalizeRows(texts, n, d);
  const sims = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += a[i * d + k] * b[j * d + k];
      sims[i * n + j] = s;
    }
  }
  let rowHits = 0;
  let colHits = 0;
  for (let i = 0; i < n; i++) {
    let bestRow = 0;
    let bestCol = 0;
    for (let j = 1; j < n; j++) {
      if (sims[i * n + j] > sims[i * n + bestRow]) bestRow = j;
      if (sims[j * n + i] > sims[bestCol * n + i]) bestCol = j;
    }
    if (bestRow === i) rowHits++;
    if (bestCol === i) colHits++;
  }
  return { n, imageToText: rowHits / n, textToImage: colHits / n, chance: 1 / n };
}
