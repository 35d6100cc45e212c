/**
 * One training step, recorded without any readback: upload the batch, forward both towers and
 * the InfoNCE loss, backward, optimizer update, drop the gradients, and add the loss and the
 * in-batch accuracies to the GPU meter. The caller flushes (submits) the work.
 */
import type { Gpu } from '@exif-lang/kernels';
import type { PatchBatch } from '@exif-lang/data';
import { backward, keep, scope, tensor, type ExifClip, type optim } from '@exif-lang/models';
import type { GpuMeter } from './meter.ts';

/** Returns the learning rate the update used. */
export function trainStep(gpu: Gpu, model: ExifClip, opt: optim.Optimizer, b: PatchBatch, meter: GpuMeter): number {
  const r = scope(() => {
    const images = tensor(gpu, b.images, [b.batchSize, b.patchSize, b.patchSize, 3]);
    const ids = tensor(gpu, b.ids, [b.batchSize, b.tokenLength], 'u32');
    const mask = tensor(gpu, b.mask, [b.batchSize, b.tokenLength], 'u32');
    const out = model.loss(images, ids, mask);
    return { loss: keep(out.loss), accImage: keep(out.accImage), accText: keep(out.accText) };
  });
  try {
    backward(r.loss);
    const { lr } = opt.step();
    opt.zeroGrad();
    meter.add([r.loss, r.accImage, r.accText]);
    return lr;
  } finally {
    r.loss.dispose();
    r.accImage.dispose();
    r.accText.dispose();
  }
}
