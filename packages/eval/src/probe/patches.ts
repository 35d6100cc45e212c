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
  /**
   * corners floored to multiples of this (default 1: as drawn). A model trained on crops on
   * the JPEG block grid (data.cropAlign) is probed on the grid too, or it reads its features
   * off the distribution it learnt them on.
   */
  align?: number;
}

/** Top-left corners of the plan's crops in a width x height image. */
export function patchOrigins(width: number, height: number, plan: PatchPlan, imageKey: string): { x: number; y: number }[] {
  const { count: n, size: p } = plan;
  const a = plan.align ?? 1;
  if (!Number.isInteger(a) || a < 1) throw new Error(`patch plan: align must be a positive integer, got ${a}`);
  if (width < p || height < p) throw new Error(`${imageKey}: ${width}x${height} is smaller than one ${p} px patch`);
  // flooring keeps a corner inside the image (0 is on every grid)
  const onGrid = (o: { x: number; y: number }) => ({ x: o.x - (o.x % a), y: o.y - (o.y % a) });
  if (plan.mode === 'random') {
    const rng = derivedRng(plan.seed, 'probe-patches', imageKey);
    return Array.from({ length: n }, () => onGrid({ x: randInt(rng, width - p + 1), y: randInt(rng, height - p + 1) }));
  }
  // grid: cols x rows close to the image's aspect with cols * rows >= n, the first n in raster order
  const cols = Math.max(1, Math.round(Math.sqrt((n * width) / height)));
  const rows = Math.ceil(n / cols);
  const at = (i: number, k: number, span: number) => (k === 1 ? Math.floor((span - p) / 2) : Math.round((i * (span - p)) / (k - 1)));
  return Array.from({ length: n }, (_, i) => onGrid({ x: at(i % cols, cols, width), y: at(Math.floor(i / cols), rows, height) }));
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
