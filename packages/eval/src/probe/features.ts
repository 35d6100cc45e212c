/**
 * Frozen features for probes: every image's planned patches through a feature extractor,
 * per patch ([N, dim]) and per image (their mean). Cached on disk under
 * <cacheDir>/<extractor key>/<image sha1>-<plan>.f32 so a second probe (another task, another
 * run) does not re-embed; the extractor key names the weights (a checkpoint's content hash, or
 * "random-init-<hash>-<seed>"), so a retrained checkpoint never hits a stale entry.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, type RgbImage } from '@exif-lang/data';
import type { FeatureExtractor } from '../localize/types.ts';
import type { ProbeImage } from './photo-set.ts';
import { readF32, writeF32 } from './f32-cache.ts';
import { patchOrigins, patchStrip, type PatchPlan } from './patches.ts';

/** What embedding needs of a photo: its file, and the hash that keys the cache and seeds the crops. */
export type EmbedImage = Pick<ProbeImage, 'id' | 'path' | 'hash'>;

export interface ImageFeatures {
  /** [patches, dim] row-major */
  patches: Float32Array;
  /** mean over the patches, [dim] */
  mean: Float32Array;
  dim: number;
  count: number;
}

export interface EmbedOptions {
  plan: PatchPlan;
  /** folder of the cache; undefined: no cache */
  cacheDir?: string;
  /** identifies the extractor's weights in the cache (see checkpointKey) */
  key: string;
  onProgress?: (done: number, total: number) => void;
}

/** Content hash of a checkpoint file (first and last MiB + size: fast on large files, changes with any training step). */
export function checkpointKey(path: string): string {
  const buf = readFileSync(path);
  const h = createHash('sha1').update(String(statSync(path).size));
  h.update(buf.subarray(0, 1 << 20));
  h.update(buf.subarray(Math.max(0, buf.length - (1 << 20))));
  return h.digest('hex').slice(0, 16);
}

export function meanRows(data: Float32Array, rows: number, dim: number): Float32Array {
  const m = new Float32Array(dim);
  for (let r = 0; r < rows; r++) for (let d = 0; d < dim; d++) m[d] += data[r * dim + d] / rows;
  return m;
}

async function decode(img: EmbedImage): Promise<RgbImage> {
  const r = await decodeImage(img.path);
  if (!r.ok) throw new Error(`${img.id}: ${r.reason} (${r.detail})`);
  return r.image;
}

/** Features of every image, in order; images are decoded only on a cache miss. */
export async function embedImages(images: readonly EmbedImage[], extractor: FeatureExtractor, o: EmbedOptions): Promise<ImageFeatures[]> {
  const { plan } = o;
  if (plan.size !== extractor.patchSize) throw new Error(`${extractor.name}: ${plan.size} px plan for a ${extractor.patchSize} px extractor`);
  const dir = o.cacheDir ? join(o.cacheDir, o.key) : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const out: ImageFeatures[] = [];
  for (const [i, img] of images.entries()) {
    const aligned = (plan.align ?? 1) > 1 ? `-a${plan.align}` : ''; // unaligned plans keep their old cache names
    const file = dir ? join(dir, `${img.hash}-${plan.mode}-${plan.count}x${plan.size}-s${plan.seed}${aligned}.f32`) : undefined;
    let data = readF32(file);
    if (!data) {
      const image = await decode(img);
      const strip = patchStrip(image, patchOrigins(image.width, image.height, plan, img.hash), plan.size);
      data = (await extractor.features(strip.image, strip.grid)).data;
      writeF32(file, data);
    }
    const dim = data.length / plan.count;
    out.push({ patches: data, mean: meanRows(data, plan.count, dim), dim, count: plan.count });
    o.onProgress?.(i + 1, images.length);
  }
  return out;
}
