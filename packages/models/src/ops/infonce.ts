import { arange, argReduce, binary, cast, reduce } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { scope } from '../tensor/scope.ts';
import { tensor } from '../tensor/create.ts';
import { add, div, exp, mul, scale as scaleBy, sqrt, square } from './elementwise.ts';
import { sum, sumAll } from './reduce.ts';
import { matmul } from './matmul.ts';
import { logSoftmax } from './softmax.ts';
import { transpose } from './movement.ts';

/**
 * Symmetric InfoNCE (CLIP's loss, the official create_logits): with L2-normalised rows,
 * logits = s * img_n txt_n^T, loss = (CE(logits, arange) + CE(logits^T, arange)) / 2. The
 * logit scale s is a fixed number (the paper: 100) or exp of a learned scalar log-scale
 * tensor (CLIP: initialised at ln(1/0.07)).
 */
export type LogitScale = number | Tensor;

export interface InfoNceResult {
  /** scalar loss (differentiable) */
  loss: Tensor;
  /** [B, B] logits, rows = images (not differentiable through this handle's consumers) */
  logits: Tensor;
  /** fraction of images whose text is the most similar (scalar, no gradient) */
  accImage: Tensor;
  /** fraction of texts whose image is the most similar (scalar, no gradient) */
  accText: Tensor;
}

function checkPair(img: Tensor, txt: Tensor): number {
  if (img.rank !== 2 || txt.rank !== 2 || img.shape.join() !== txt.shape.join()) throw new Error(`infoNce: embeddings must both be [B, E], got ${img.describe()} and ${txt.describe()}`);
  return img.shape[0];
}

/** Row-wise x / ||x|| (the official normalisation, no epsilon). */
export function l2Normalize(x: Tensor): Tensor {
  return scope(() => div(x, sqrt(sum(square(x), -1, true))));
}

/** Fraction of rows (axis 1) or columns (axis 0) of logits whose maximum is on the diagonal. */
export function diagonalAccuracy(logits: Tensor, axis: 0 | 1): Tensor {
  const gpu = logits.gpu;
  const B = logits.shape[0];
  const idx = argReduce(gpu, 'argmax', logits.buffer, logits.shape, axis);
  const idxF = cast(gpu, idx.out, B, 'u32', 'f32');
  const diag = arange(gpu, B);
  const hit = binary(gpu, 'eq', idxF, [B], diag, [B]);
  const acc = reduce(gpu, 'mean', hit.out, [B], 0);
  for (const b of [idx.out, idxF, diag, hit.out]) b.release();
  return Tensor.fromBuffer(acc.out, []);
}

/**
 * The loss composed of recorded ops (normalise, matmul, log-softmax, diagonal): the reference
 * for the fused kernel, and its fallback.
 */
export function infoNceComposite(img: Tensor, txt: Tensor, logitScale: LogitScale): InfoNceResult {
  const B = checkPair(img, txt);
  return scope(() => {
    const eye = tensor(img.gpu, Float32Array.from({ length: B * B }, (_, i) => (i % (B + 1) === 0 ? 1 : 0)), [B, B]);
    const sims = matmul(l2Normalize(img), l2Normalize(txt), { transB: true, alpha: typeof logitScale === 'number' ? logitScale : 1 });
    const logits = typeof logitScale === 'number' ? sims : mul(sims, exp(logitScale));
    const ceImage = sumAll(mul(logSoftmax(logits), eye));
    const ceText = sumAll(mul(logSoftmax(transpose(logits, 0, 1)), eye));
    const loss = scaleBy(add(ceImage, ceText), -0.5 / B);
    return { loss, logits, accImage: diagonalAccuracy(logits, 1), accText: diagonalAccuracy(logits, 0) };
  });
}

/** Symmetric InfoNCE of image and text embeddings [B, E] (unnormalised) at `logitScale`. */
export function infoNce(img: Tensor, txt: Tensor, logitScale: LogitScale): InfoNceResult {
  return infoNceComposite(img, txt, logitScale);
}
