/**
 * The 'random map' baseline: i.i.d. standard Gaussian features per patch, seeded by the seed
 * and the image size, so a map through the same localization says what chance looks like.
 */
import type { RgbImage } from '@exif-lang/data';
import { derivedRng } from '@exif-lang/data';
import type { PatchGrid } from '../localize/grid.ts';
import { patchCount } from '../localize/grid.ts';
import type { FeatureExtractor } from '../localize/types.ts';

export const RANDOM_FEATURE_DIM = 128;

export function randomFeatureExtractor(seed: number, opts: { patchSize?: number; dim?: number } = {}): FeatureExtractor {
  const patchSize = opts.patchSize ?? 124;
  const dim = opts.dim ?? RANDOM_FEATURE_DIM;
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`random-map: dim must be a positive integer, got ${dim}`);
  return {
    name: 'random-map',
    patchSize,
    async features(image: RgbImage, grid: PatchGrid) {
      if (grid.patch !== patchSize) throw new Error(`random-map: grid patch ${grid.patch} != extractor patch ${patchSize}`);
      const rng = derivedRng(seed, 'random-map', image.width, image.height, grid.patch, grid.stride);
      const n = patchCount(grid) * dim;
      const data = new Float32Array(n);
      // Box-Muller, two values per pair of uniforms
      for (let i = 0; i < n; i += 2) {
        const u = 1 - rng();
        const v = rng();
        const r = Math.sqrt(-2 * Math.log(u));
        data[i] = r * Math.cos(2 * Math.PI * v);
        if (i + 1 < n) data[i + 1] = r * Math.sin(2 * Math.PI * v);
      }
      return { data, dim };
    },
  };
}
