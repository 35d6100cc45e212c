/**
 * The metadata consistency check: how well a photo's claimed EXIF text matches its pixels,
 * as the rank of that text among a reference gallery's texts by cosine similarity to the
 * image embedding (1 = the best match of all). A text copied from another camera should rank
 * low. The score used for detection is the fraction of the other gallery texts the claimed one
 * beats (1 = ranked first, 0 = last), which is comparable across galleries of any size.
 */
import { rocAuc } from '../metrics/ranking.ts';
import { derivedRng } from '@exif-lang/data';
import { dotRows, rankOf } from './similarity.ts';

export interface ClaimRank {
  /** 1-based rank of the claimed text among the candidates */
  rank: number;
  candidates: number;
  /** fraction of the other candidates the claimed text beats */
  score: number;
  similarity: number;
}

/** image: unit embedding [dim]; texts: unit embeddings [n, dim]; claimed: its row in texts. */
export function rankClaim(image: Float32Array, texts: Float32Array, claimed: number): ClaimRank {
  const dim = image.length;
  const n = texts.length / dim;
  const sims = dotRows(image, texts, dim);
  const rank = rankOf(sims, 0, n, claimed);
  return { rank, candidates: n, score: n > 1 ? (n - rank) / (n - 1) : 1, similarity: sims[claimed] };
}

/** Camera ranking: each camera scored by its best-matching text. */
export function rankCameras(image: Float32Array, texts: Float32Array, cameraOf: readonly string[]): { camera: string; similarity: number }[] {
  const sims = dotRows(image, texts, image.length);
  const best = new Map<string, number>();
  cameraOf.forEach((c, j) => best.set(c, Math.max(best.get(c) ?? -Infinity, sims[j])));
  return [...best.entries()].map(([camera, similarity]) => ({ camera, similarity })).sort((a, b) => b.similarity - a.similarity);
}

export interface SwapEvaluation {
  auc: number;
  positives: number;
  negatives: number;
  /** median rank of the own text, and of the swapped one */
  medianOwnRank: number;
  medianSwappedRank: number;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

/**
 * Each image once with its own text (positive) and once with the text of a photo from another
 * camera, drawn with a seed (negative); AUC of the check's score separating them.
 * images: unit embeddings [n, dim]; texts: the gallery's unit embeddings; own: each image's row
 * in texts; camera: each gallery text's camera.
 */
export function swappedExifAuc(images: Float32Array, texts: Float32Array, own: readonly number[], camera: readonly string[], seed = 0, subset?: readonly number[]): SwapEvaluation {
  const dim = texts.length / camera.length;
  const labels: number[] = [];
  const scores: number[] = [];
  const ownRanks: number[] = [];
  const swapRanks: number[] = [];
  for (const i of subset ?? own.map((_, k) => k)) {
    const img = images.subarray(i * dim, (i + 1) * dim);
    const mine = camera[own[i]];
    const others = camera.map((c, j) => (c !== mine ? j : -1)).filter((j) => j >= 0);
    if (!others.length) continue;
    const rng = derivedRng(seed, 'swap', i);
    const swapped = others[Math.floor(rng() * others.length)];
    const a = rankClaim(img, texts, own[i]);
    const b = rankClaim(img, texts, swapped);
    labels.push(1, 0);
    scores.push(a.score, b.score);
    ownRanks.push(a.rank);
    swapRanks.push(b.rank);
  }
  return { auc: rocAuc(labels, scores), positives: ownRanks.length, negatives: swapRanks.length, medianOwnRank: median(ownRanks), medianSwappedRank: median(swapRanks) };
}
