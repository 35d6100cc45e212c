/**
 * The three feature sets of every photo-probe table, cached: ours (the checkpoint's image
 * tower), random-init (the same architecture with random weights, keyed by the checkpoint's
 * hash and the seed) and the hand-crafted vector. All see the same photos; the two networks see
 * the same patches.
 */
import type { Gpu } from '@exif-lang/kernels';
import { randomInitExtractor, type OpenedExtractor } from '../localize/checkpoint.ts';
import { embedImages, type EmbedImage } from './features.ts';
import { handcraftedFeatures } from './handcrafted.ts';
import type { PatchPlan } from './patches.ts';
import type { FeatureSet } from './run-probe.ts';

export const RANDOM_INIT_SEED = 1234;

export interface PhotoFeatureOptions {
  plan: PatchPlan;
  cacheDir?: string;
  /** the checkpoint's content key (checkpointKey) */
  key: string;
  /** which baselines to compute (default both) */
  baselines?: readonly ('random-init' | 'handcrafted')[];
  onProgress?: (stage: string, done: number, total: number) => void;
}

export async function photoFeatureSets(gpu: Gpu, opened: OpenedExtractor, images: readonly EmbedImage[], o: PhotoFeatureOptions): Promise<FeatureSet[]> {
  const progress = (stage: string) => (d: number, n: number) => o.onProgress?.(stage, d, n);
  const sets: FeatureSet[] = [{ name: 'ours', features: await embedImages(images, opened.extractor, { plan: o.plan, cacheDir: o.cacheDir, key: o.key, onProgress: progress('ours') }) }];
  const want = o.baselines ?? ['random-init', 'handcrafted'];
  if (want.includes('random-init')) {
    const rnd = randomInitExtractor(gpu, opened, RANDOM_INIT_SEED);
    try {
      sets.push({ name: 'random-init', features: await embedImages(images, rnd, { plan: o.plan, cacheDir: o.cacheDir, key: `random-init-${o.key}-${RANDOM_INIT_SEED}`, onProgress: progress('random-init') }) });
    } finally {
      rnd.dispose();
    }
  }
  if (want.includes('handcrafted')) sets.push({ name: 'handcrafted', features: await handcraftedFeatures(images, { cacheDir: o.cacheDir, onProgress: progress('handcrafted') }) });
  return sets;
}
