/**
 * Patch-grid embedding with an image tower: every grid patch (native resolution, CLIP
 * normalisation, raster order) through the ResNet in eval mode without gradients, in batches
 * sized to the device's buffer limits.
 */
import { writeNormalizedPatch, type RgbImage } from '@exif-lang/data';
import { keep, noGrad, scope, tensor, type ExifClip } from '@exif-lang/models';
import { patchCount, patchOrigin, type PatchGrid } from './grid.ts';
import type { FeatureExtractor } from './types.ts';

/**
 * Patches per forward pass: the largest activation of a ResNet on a P px patch is the stem's
 * output (stem channels x (P/2)^2, x4 in a bottleneck's first stage), kept under a quarter of
 * the binding limit, at most 256.
 */
export function embedBatchSize(model: ExifClip, patch: number, maxBinding: number): number {
  const c = model.config.image;
  const widest = Math.max(c.stem, c.widths[0] * (c.block === 'bottleneck' ? 4 : 1));
  const perPatch = widest * Math.ceil(patch / 2) ** 2 * 4;
  return Math.max(1, Math.min(256, Math.floor(maxBinding / 4 / perPatch)));
}

export function modelExtractor(model: ExifClip, patchSize: number, name = 'ours', opts: { batch?: number; onProgress?: (done: number, total: number) => void } = {}): FeatureExtractor {
  const gpu = model.gpu;
  return {
    name,
    patchSize,
    async features(image: RgbImage, g: PatchGrid) {
      if (g.patch !== patchSize) throw new Error(`${name}: grid of ${g.patch} px patches for a ${patchSize} px extractor`);
      const n = patchCount(g);
      const dim = model.embedDim;
      const batch = opts.batch ?? embedBatchSize(model, patchSize, gpu.device.limits.maxStorageBufferBindingSize);
      const out = new Float32Array(n * dim);
      const px = patchSize * patchSize * 3;
      const host = new Float32Array(batch * px);
      for (let start = 0; start < n; start += batch) {
        const b = Math.min(batch, n - start);
        for (let i = 0; i < b; i++) writeNormalizedPatch(image, { ...patchOrigin(g, start + i), size: patchSize }, host, i * px);
        const y = noGrad(() => scope(() => keep(model.encodeImage(tensor(gpu, host.subarray(0, b * px), [b, patchSize, patchSize, 3])))));
        out.set((await y.data()).subarray(0, b * dim), start * dim);
        y.dispose();
        opts.onProgress?.(start + b, n);
      }
      return { data: out, dim };
    },
  };
}
