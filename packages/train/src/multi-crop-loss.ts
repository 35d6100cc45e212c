/**
 * The loss of a step whose batch holds K crops of each of B photos (data.cropsPerStep = K) and
 * one text per photo, with image embeddings laid out crop-major ([K x B, E]: rows k B .. k B + B
 * are crop k of every photo):
 *
 *   L = mean_k InfoNCE(img_k, txt)  +  w * mean_{k < l} InfoNCE(img_k, img_l)
 *
 * The first term is the paper's loss once per crop against one text pass (DESIGN.md's
 * reference recipe: 4 sub-batches, one text pass). The second (w = model.imageImageWeight)
 * contrasts the crops of one photo against the other photos' crops directly: what splice
 * localization compares is patch with patch, and this asks that two patches of a photo agree
 * whatever they show. Both use the model's logit scale. Accuracies are the crops' mean
 * image -> text and text -> image top-1. K = 1 and w = 0 is exactly model.lossOf.
 */
import { ops, scope, type ExifClip, type Tensor } from '@exif-lang/models';

const { add, narrow, scale } = ops;

export function multiCropLoss(model: ExifClip, images: Tensor, texts: Tensor, crops: number, imageImage: number): ops.InfoNceResult {
  const B = texts.shape[0];
  if (images.shape[0] !== crops * B) throw new Error(`multiCropLoss: ${images.shape[0]} image rows for ${crops} crops of ${B} texts`);
  if (imageImage > 0 && crops < 2) throw new Error('multiCropLoss: the image-image term needs at least 2 crops per photo');
  if (crops === 1) return model.lossOf(images, texts);
  return scope(() => {
    const crop = Array.from({ length: crops }, (_, k) => narrow(images, 0, k * B, B));
    const withText = crop.map((c) => model.lossOf(c, texts));
    const mean = (xs: Tensor[]) => scale(xs.reduce((a, b) => add(a, b)), 1 / xs.length);
    let loss = mean(withText.map((r) => r.loss));
    if (imageImage > 0) {
      const pairs: Tensor[] = [];
      for (let k = 0; k < crops; k++) for (let l = k + 1; l < crops; l++) pairs.push(model.lossOf(crop[k], crop[l]).loss);
      loss = add(loss, scale(mean(pairs), imageImage));
    }
    return { loss, accImage: mean(withText.map((r) => r.accImage)), accText: mean(withText.map((r) => r.accText)) };
  });
}
