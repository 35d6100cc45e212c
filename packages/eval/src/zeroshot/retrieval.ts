/**
 * CLIP-style zero-shot classification: a patch, or an image (its patches' normalised mean), is
 * given the candidate text it is most similar to; top-k accuracy against chance (k / classes).
 */
import type { ImageFeatures } from '../probe/features.ts';
import { dotRows, imageEmbedding, l2NormalizeHost, rankOf } from './similarity.ts';

export interface TopK {
  top1: number;
  top5: number;
}

export interface ZeroShotScores {
  images: number;
  patches: number;
  classes: number;
  patch: TopK;
  image: TopK;
  chance: TopK;
  /** 1-based rank of each image's true candidate (image level) */
  ranks: number[];
}

/**
 * features: per image (unnormalised patch embeddings); labels: true candidate per image (-1:
 * left out); texts: the candidates' unit embeddings [classes, dim].
 */
export function zeroShotScores(features: readonly ImageFeatures[], labels: Int32Array, texts: Float32Array): ZeroShotScores {
  const dim = features[0]?.dim ?? 0;
  const classes = texts.length / dim;
  let images = 0;
  let patches = 0;
  const hit = { p1: 0, p5: 0, i1: 0, i5: 0 };
  const ranks: number[] = [];
  features.forEach((f, i) => {
    const y = labels[i];
    if (y < 0) return;
    const img = dotRows(imageEmbedding(f.patches, f.count, dim), texts, dim);
    const r = rankOf(img, 0, classes, y);
    ranks.push(r);
    images++;
    if (r === 1) hit.i1++;
    if (r <= 5) hit.i5++;
    const ps = dotRows(l2NormalizeHost(f.patches, dim), texts, dim);
    for (let p = 0; p < f.count; p++) {
      const rp = rankOf(ps, p * classes, classes, y);
      patches++;
      if (rp === 1) hit.p1++;
      if (rp <= 5) hit.p5++;
    }
  });
  return {
    images, patches, classes,
    patch: { top1: hit.p1 / Math.max(1, patches), top5: hit.p5 / Math.max(1, patches) },
    image: { top1: hit.i1 / Math.max(1, images), top5: hit.i5 / Math.max(1, images) },
    chance: { top1: 1 / classes, top5: Math.min(5, classes) / classes },
    ranks,
  };
}
