/**
 * One training step, recorded without any readback: upload the batch, forward both towers and
 * the InfoNCE loss, backward, optimizer update, drop the gradients, and add the loss and the
 * in-batch accuracies to the GPU meter. The caller flushes (submits) the work.
 *
 * Recording a phase is synchronous JavaScript (tens of ms); between phases the step yields to
 * the event loop, so a SIGINT is seen within one phase. That matters under tsx (`pnpm train`):
 * its parent process SIGKILLs a child that has not acknowledged a relayed signal within ~60 ms.
 */
import type { Gpu } from '@exif-lang/kernels';
import type { PatchBatch } from '@exif-lang/data';
import { backward, keep, scope, tensor, type ExifClip, type Tensor, type optim } from '@exif-lang/models';
import type { GpuMeter } from './meter.ts';
import { multiCropLoss } from './multi-crop-loss.ts';

export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface StepOptions {
  /** weight of the image-image term between the crops of a photo (model.imageImageWeight) */
  imageImage?: number;
}

/** Returns the learning rate the update used. */
export async function trainStep(gpu: Gpu, model: ExifClip, opt: optim.Optimizer, b: PatchBatch, meter: GpuMeter, o: StepOptions = {}): Promise<number> {
  await yieldToEventLoop(); // a ready batch resolves as a microtask: signals would wait for the next phase
  // model.loss() = lossOf(encodeImage, encodeText), recorded in three phases: the same ops, tape and bits.
  const K = b.cropsPerStep;
  const img = scope(() => keep(model.encodeImage(tensor(gpu, b.images, [K * b.batchSize, b.patchSize, b.patchSize, 3]))));
  let txt: Tensor | null = null;
  let r: { loss: Tensor; accImage: Tensor; accText: Tensor };
  try {
    await yieldToEventLoop();
    const text = scope(() => keep(model.encodeText(tensor(gpu, b.ids, [b.batchSize, b.tokenLength], 'u32'), tensor(gpu, b.mask, [b.batchSize, b.tokenLength], 'u32'))));
    txt = text;
    await yieldToEventLoop();
    r = scope(() => {
      // one crop per photo: model.lossOf itself; K crops: one InfoNCE per crop (+ the image-image term)
      const out = multiCropLoss(model, img, text, K, o.imageImage ?? 0);
      return { loss: keep(out.loss), accImage: keep(out.accImage), accText: keep(out.accText) };
    });
  } finally {
    // The tape holds its own references to what backward needs.
    img.dispose();
    txt?.dispose();
  }
  return update(opt, meter, r, () => backward(r.loss));
}

/**
 * The end of every step (plain or gradient-cached): `grads` leaves the gradients, then the
 * optimizer update, the gradients dropped, the loss and accuracies metered and disposed.
 */
export async function update(opt: optim.Optimizer, meter: GpuMeter, r: { loss: Tensor; accImage: Tensor; accText: Tensor }, grads: () => void): Promise<number> {
  try {
    await yieldToEventLoop();
    grads();
    await yieldToEventLoop();
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
