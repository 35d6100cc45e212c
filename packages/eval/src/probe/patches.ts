/**
 * Which patches of an image a probe embeds: N native-resolution P px crops, either spread on a
 * regular grid or drawn at random (seeded by the image, so a cache hit means the same crops).
 * They are laid side by side into one strip image (N*P x P) whose patch grid has stride P, so
 * any FeatureExtractor embeds exactly these crops in one call.
 */
import { derivedRng, randInt, type RgbImage } from '@exif-lang/data';
import type { PatchGrid } from '../localize/grid.ts';

export type PatchMode = 'grid' | 'random';

export interface PatchPlan {
  count: number;
  size: number;
  mode: PatchMode;
  seed: number;
}

/** Top-left corners of the plan's crops in a width x height image. */
export function patchOrigins(width: number, height: number, plan: PatchPlan, imageKey: string): { x: number; y: number }[] {
  const { count: n, size: p } = plan;
  if (width < p || height < p) throw new Error(`${imageKey}: ${width}x${height} is smaller than one ${p} px patch`);
  if (plan.mode === 'random') {
    const rng = derivedRng(plan.seed, 'probe-patches', imageKey);
    return Array.from({ length: n }, () => ({ x: randInt(rng, width - p + 1), y: randInt(rng, height - p + 1) }));
  }
  // grid: cols x rows close to the image's aspect with cols * rows >= n, the first n in raster order
  const cols = Math.max(1, Math.round(Math.sqrt((n * width) / height)));
  const rows = Math.ceil(n / cols);
  const at = (i: number, k: number, span: number) => (k === 1 ? Math.floor((span - p) / 2) : Math.round((i * (span - p)) / (k - 1)));
  return Array.from({ length: n }, (_, i) => ({ x: at(i % cols, cols, width), y: at(Math.floor(i / cols), rows, height) }));
}

/** The crops side by side, and the grid over the strip that visits each crop once. */
export function patchStrip(image: RgbImage, origins: readonly { x: number; y: number }[], size: number): { image: RgbImage; grid: PatchGrid } {
  const n = origins.length;
  const w = n * size;
  const data = new Uint8Array(w * size * 3);
  origins.forEach((o, k) => {
    for (let y = 0; y < size; y++) {
      const src = ((o.y + y) * image.width + o.x) * 3;
      data.set(image.data.subarray(src, src + size * 3), (y * w + k * size) * 3);
    }
  });
  const grid: PatchGrid = { width: w, height: size, patch: size, stride: size, rows: 1, cols: n, spread: 1, cellRows: 1, cellCols: n };
  return { image: { width: w, height: size, data }, grid };
}
