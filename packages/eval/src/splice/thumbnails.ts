/**
 * Report-sized pictures of one localization: the photo, its ground truth, the heat-map overlay,
 * the mask and the PCA picture, each at most `maxSide` px (maps resampled from the cell grid,
 * the photo by sharp), so a report of hundreds of images stays small.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '@exif-lang/data';
import type { Localization } from '../localize/types.ts';
import { resizeBilinear } from '../localize/upsample.ts';
import { writeHeatmapOverlay, writeMaskPng, writeRgbPng } from '../render/index.ts';

export interface Thumbnails {
  image: string;
  truth?: string;
  heatmap: string;
  mask: string;
  pca: string;
}

function fit(w: number, h: number, maxSide: number): [number, number] {
  const s = Math.min(1, maxSide / Math.max(w, h));
  return [Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s))];
}

async function shrinkRgb(image: RgbImage, w: number, h: number): Promise<RgbImage> {
  if (w === image.width && h === image.height) return image;
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(w, h, { fit: 'fill' }).raw().toBuffer();
  return { width: w, height: h, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Writes the pictures under dir/<prefix>-*.png and returns their names relative to dir. */
export async function writeThumbnails(dir: string, prefix: string, image: RgbImage, r: Localization, truth: Uint8Array | null, maxSide = 384): Promise<Thumbnails> {
  mkdirSync(dir, { recursive: true });
  const [w, h] = fit(image.width, image.height, maxSide);
  const g = r.grid;
  const small = await shrinkRgb(image, w, h);
  const names: Thumbnails = { image: `${prefix}-image.png`, heatmap: `${prefix}-heatmap.png`, mask: `${prefix}-mask.png`, pca: `${prefix}-pca.png` };
  await writeRgbPng(join(dir, names.image), w, h, small.data);
  await writeHeatmapOverlay(join(dir, names.heatmap), small, resizeBilinear(r.cells.heatmap, g.cellCols, g.cellRows, w, h));
  const mask = resizeBilinear(r.cells.mask, g.cellCols, g.cellRows, w, h);
  await writeMaskPng(join(dir, names.mask), w, h, Uint8Array.from(mask, (v) => (v >= 0.5 ? 1 : 0)));
  const pca = resizeBilinear(r.cells.pca, g.cellCols, g.cellRows, w, h, 3);
  await writeRgbPng(join(dir, names.pca), w, h, Uint8Array.from(pca, (v) => Math.round(v)));
  if (truth) {
    names.truth = `${prefix}-truth.png`;
    const t = resizeBilinear(truth, image.width, image.height, w, h);
    await writeMaskPng(join(dir, names.truth), w, h, Uint8Array.from(t, (v) => (v >= 0.5 ? 1 : 0)));
  }
  return names;
}
