/**
 * The paper's CASIA I/II probe: authentic vs tampered from one feature vector per image. As
 * the official loaders do, each image is brought to 224 x 224, either resized (squashed) or
 * resized on its shorter side and centre-cropped, and embedded as one 224 px input (the ResNet
 * pools globally, so any input side works); the hand-crafted baseline sees the same 224 px image.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '@exif-lang/data';
import { listDataset } from '../datasets/list.ts';
import type { FeatureExtractor } from '../localize/types.ts';
import type { PatchGrid } from '../localize/grid.ts';
import type { ImageFeatures } from './features.ts';
import { readF32, writeF32 } from './f32-cache.ts';
import { handcraftedVector } from './handcrafted.ts';
import type { TaskLabels } from './tasks.ts';

export const CASIA_SIDE = 224;
export type CasiaFit = 'resize' | 'crop';

export interface CasiaImage {
  id: string;
  path: string;
  hash: string;
  tampered: boolean;
}

export async function loadCasia(dataset: 'casia1' | 'casia2', root: string): Promise<{ images: CasiaImage[]; problems: number }> {
  const listing = await listDataset(dataset, root);
  const images = listing.samples.map((s) => ({ id: s.name, path: s.image, hash: createHash('sha1').update(readFileSync(s.image)).digest('hex'), tampered: s.spliced }));
  return { images, problems: listing.problems.length };
}

export function casiaLabels(images: readonly CasiaImage[]): TaskLabels {
  return {
    task: 'casia', classes: ['authentic', 'tampered'], images: images.map((_, i) => i),
    labels: Int32Array.from(images, (m) => (m.tampered ? 1 : 0)), rule: 'CASIA Au vs Tp, 224 px',
  };
}

/** The 224 x 224 RGB input of an image. */
export async function casiaInput(path: string, fit: CasiaFit): Promise<RgbImage> {
  const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb')
    .resize(CASIA_SIDE, CASIA_SIDE, { fit: fit === 'resize' ? 'fill' : 'cover', position: 'centre' })
    .raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

const WHOLE: PatchGrid = { width: CASIA_SIDE, height: CASIA_SIDE, patch: CASIA_SIDE, stride: CASIA_SIDE, rows: 1, cols: 1, spread: 1, cellRows: 1, cellCols: 1 };

/**
 * One vector per image: `extractor` must take 224 px patches (modelExtractor(model, 224));
 * undefined: the hand-crafted vector.
 */
export async function casiaFeatures(images: readonly CasiaImage[], fit: CasiaFit, extractor: FeatureExtractor | undefined, o: { cacheDir?: string; key: string; onProgress?: (done: number, total: number) => void }): Promise<ImageFeatures[]> {
  if (extractor && extractor.patchSize !== CASIA_SIDE) throw new Error(`${extractor.name}: the CASIA probe needs a ${CASIA_SIDE} px extractor`);
  const dir = o.cacheDir ? join(o.cacheDir, o.key) : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const out: ImageFeatures[] = [];
  for (const [i, img] of images.entries()) {
    const file = dir ? join(dir, `${img.hash}-casia-${fit}.f32`) : undefined;
    let v = readF32(file);
    if (!v) {
      const input = await casiaInput(img.path, fit);
      v = extractor ? (await extractor.features(input, WHOLE)).data : handcraftedVector(input);
      writeF32(file, v);
    }
    out.push({ patches: v, mean: v, dim: v.length, count: 1 });
    o.onProgress?.(i + 1, images.length);
  }
  return out;
}
