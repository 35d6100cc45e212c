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

/** Retrieval of several crops per image among the distinct validation texts (retrievalTopK). */
export interface CropRetrievalScores extends RetrievalScores {
  /** crops scored (n images x crops each) */
  crops: number;
  /** distinct texts ranked (equal texts are one candidate) */
  texts: number;
  /** its text among a crop's 5 best */
  imageToText5: number;
  /** a crop of an image with this text among the text's 5 best crops */
  textToImage5: number;
  /** chance of top-5 patch -> text: min(5, texts) / texts */
  chance5: number;
}

export function normalizeRows(x: Float32Array, n: number, d: number): Float64Array {
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
  const sims = similarities(a, n, b, n, d);
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

/** Cosine similarities [m, t] of row-major embeddings. */
function similarities(a: Float64Array, m: number, b: Float64Array, t: number, d: number): Float64Array {
  const sims = new Float64Array(m * t);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < t; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += a[i * d + k] * b[j * d + k];
      sims[i * t + j] = s;
    }
  }
  return sims;
}

/** 0-based rank of candidate `want` among `count` scores at sims[off + j * stride]; ties rank the lower index first. */
function rankOf(sims: Float64Array, off: number, stride: number, count: number, want: number): number {
  const v = sims[off + want * stride];
  let rank = 0;
  for (let j = 0; j < count; j++) {
    const s = sims[off + j * stride];
    if (s > v || (s === v && j < want)) rank++;
  }
  return rank;
}

/**
 * Crops [m, d] against distinct texts [t, d] (unnormalised), `target[i]` the text of crop i's
 * image, `images` the number of images the crops came from. Patch -> text: the rank of the
 * crop's own text among all t texts. Text -> patch: the best-ranked crop whose image has that
 * text (so every crop of the image counts as a right answer).
 */
export function retrievalTopK(crops: Float32Array, texts: Float32Array, target: Int32Array, images: number, d: number): CropRetrievalScores {
  const m = target.length;
  const t = texts.length / d;
  if (crops.length !== m * d || !Number.isInteger(t) || t < 1) throw new Error(`retrievalTopK: ${crops.length} crop values for ${m} x ${d}, ${texts.length} text values`);
  for (const j of target) if (!(j >= 0 && j < t)) throw new Error(`retrievalTopK: target text ${j} out of 0..${t - 1}`);
  const sims = similarities(normalizeRows(crops, m, d), m, normalizeRows(texts, t, d), t, d);
  let top1 = 0;
  let top5 = 0;
  for (let i = 0; i < m; i++) {
    const r = rankOf(sims, i * t, 1, t, target[i]);
    if (r === 0) top1++;
    if (r < 5) top5++;
  }
  let t1 = 0;
  let t5 = 0;
  for (let j = 0; j < t; j++) {
    let best = Infinity;
    for (let i = 0; i < m; i++) if (target[i] === j) best = Math.min(best, rankOf(sims, j, t, m, i));
    if (best === 0) t1++;
    if (best < 5) t5++;
  }
  return {
    n: images, crops: m, texts: t, imageToText: top1 / m, textToImage: t1 / t, chance: 1 / t,
    imageToText5: top5 / m, textToImage5: t5 / t, chance5: Math.min(5, t) / t,
  };
}
