/**
 * The hand-crafted forensic baseline of every probe table, one vector per image:
 * [8x8 DCT coefficient histograms (dct-histogram.ts) | noise-residual statistics], the latter
 * being the splice baseline's raw descriptor (residual co-occurrences, JPEG-grid blockiness per
 * phase, noise level; baselines/noise-features.ts) averaged over a coarse grid of patches.
 * Both run on a centred crop of at most 1024 px with an 8-aligned origin, so a 12 MP photo
 * costs about what a 1 MP one does and the JPEG grid is kept.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, type RgbImage } from '@exif-lang/data';
import { noiseResidualRaw } from '../baselines/noise-features.ts';
import { patchGrid } from '../localize/grid.ts';
import { dctHistogram } from './dct-histogram.ts';
import type { EmbedImage, ImageFeatures } from './features.ts';
import { readF32, writeF32 } from './f32-cache.ts';

/** Bumped when the descriptor changes, so cached vectors of an older one are not reused. */
export const HANDCRAFTED_VERSION = 1;
const CROP = 1024;
const NOISE_PATCH = 128;

function centreCrop(image: RgbImage, side: number): RgbImage {
  const w = Math.min(image.width, side) & ~7;
  const h = Math.min(image.height, side) & ~7;
  const x0 = ((image.width - w) >> 1) & ~7;
  const y0 = ((image.height - h) >> 1) & ~7;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) data.set(image.data.subarray(((y0 + y) * image.width + x0) * 3, ((y0 + y) * image.width + x0 + w) * 3), y * w * 3);
  return { width: w, height: h, data };
}

export function handcraftedVector(image: RgbImage): Float32Array {
  const crop = centreCrop(image, CROP);
  const dct = dctHistogram(crop, CROP);
  const p = Math.min(NOISE_PATCH, crop.width, crop.height) & ~7;
  const grid = patchGrid(crop.width, crop.height, p, { perSide: 4 });
  const raw = noiseResidualRaw(crop, grid);
  const rows = raw.data.length / raw.dim;
  const noise = new Float32Array(raw.dim);
  for (let r = 0; r < rows; r++) for (let d = 0; d < raw.dim; d++) noise[d] += raw.data[r * raw.dim + d] / rows;
  const out = new Float32Array(dct.length + noise.length);
  out.set(dct);
  out.set(noise, dct.length);
  return out;
}

export async function handcraftedFeatures(images: readonly EmbedImage[], o: { cacheDir?: string; onProgress?: (done: number, total: number) => void } = {}): Promise<ImageFeatures[]> {
  const dir = o.cacheDir ? join(o.cacheDir, `handcrafted-v${HANDCRAFTED_VERSION}`) : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const out: ImageFeatures[] = [];
  for (const [i, img] of images.entries()) {
    const file = dir ? join(dir, `${img.hash}.f32`) : undefined;
    let v = readF32(file);
    if (!v) {
      const r = await decodeImage(img.path);
      if (!r.ok) throw new Error(`${img.id}: ${r.reason} (${r.detail})`);
      v = handcraftedVector(r.image);
      writeF32(file, v);
    }
    out.push({ patches: v, mean: v, dim: v.length, count: 1 });
    o.onProgress?.(i + 1, images.length);
  }
  return out;
}
