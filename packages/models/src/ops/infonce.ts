import { arange, argReduce, binary, binaryScalar, cast, infoNce as infoNceKernel, reduce, slice, type GpuBuffer } from '@exif-lang/kernels';
import { Tensor } from '../tensor/tensor.ts';
import { record } from '../autograd/tape.ts';
import { isGradEnabled } from '../autograd/grad-mode.ts';
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
 * the fused `infoNce` is tested against; it also returns the logits.
 */
export function infoNceComposite(img: Tensor, txt: Tensor, logitScale: LogitScale): InfoNceResult & { logits: Tensor } {
  const B = checkPair(img, txt);
  return scope(() => {
    const eye = tensor(img.gpu, Float32Array.from({ length: B * B }, (_, i) => (i % (B + 1) === 0 ? 1 : 0)), [B, B]);
    const logits = clipLogits(img, txt, logitScale);
    const ceImage = sumAll(mul(logSoftmax(logits), eye));
    const ceText = sumAll(mul(logSoftmax(transpose(logits, 0, 1)), eye));
    const loss = scaleBy(add(ceImage, ceText), -0.5 / B);
    return { loss, logits, accImage: diagonalAccuracy(logits, 1), accText: diagonalAccuracy(logits, 0) };
  });
}

/** [B, B] logits s * img_n txt_n^T, rows = images (for logging and parity; differentiable). */
export function clipLogits(img: Tensor, txt: Tensor, logitScale: LogitScale): Tensor {
  checkPair(img, txt);
  return scope(() => {
    const sims = matmul(l2Normalize(img), l2Normalize(txt), { transB: true, alpha: typeof logitScale === 'number' ? logitScale : 1 });
    return typeof logitScale === 'number' ? sims : mul(sims, exp(logitScale));
  });
}

/** The two top-1 hit counts (u32 [2]) as fractions of B: two scalar tensors. */
function accuracies(correct: GpuBuffer, B: number): [Tensor, Tensor] {
  const gpu = correct.gpu;
  const frac = cast(gpu, correct, 2, 'u32', 'f32');
  binaryScalar(gpu, 'mul', frac, 2, 1 / B, { out: frac });
  const acc = [0, 1].map((k) => Tensor.fromBuffer(slice(gpu, frac, [2], [k], [k + 1]).out, [])) as [Tensor, Tensor];
  frac.release();
  return acc;
}

/**
 * Symmetric InfoNCE of unnormalised image and text embeddings [B, E] on the fused kernel
 * (normalisation, cosines, both cross-entropies, top-1 hits; no readback). The kernel also
 * returns d loss / d img, d txt and d scale (only computed when autograd records); the op's
 * backward scales them by the incoming scalar gradient. A Tensor scale is the log of the scale
 * (CLIP's learned temperature): its gradient is d loss / d log s.
 */
export function infoNce(img: Tensor, txt: Tensor, logitScale: LogitScale): InfoNceResult {
  const B = checkPair(img, txt);
  const scaleT = typeof logitScale === 'number' ? null : logitScale;
  if (scaleT && scaleT.size !== 1) throw new Error(`infoNce: the log-scale must be a scalar, got ${scaleT.describe()}`);
  const inputs = scaleT ? [img, txt, scaleT] : [img, txt];
  const grads = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const r = infoNceKernel(img.gpu, img.buffer, txt.buffer, { N: B, D: img.shape[1] }, {
    scale: scaleT ? { buffer: scaleT.buffer, log: true } : (logitScale as number),
    grads,
  });
  const [accImage, accText] = accuracies(r.correct, B);
  r.correct.release();
  const loss = Tensor.fromBuffer(r.loss, []);
  const dScale = Tensor.fromBuffer(r.dScale, []);
  const dImg = r.dImg ? Tensor.fromBuffer(r.dImg, img.shape) : null;
  const dTxt = r.dTxt ? Tensor.fromBuffer(r.dTxt, txt.shape) : null;
  const saved = dImg && dTxt ? [dImg, dTxt, dScale] : [];
  const out = record('infonce', inputs, loss, saved, (gy, [sImg, sTxt, sScale]) => {
    // The saved gradients are d loss / d x; the chain rule multiplies them by d out / d loss.
    const times = (t: Tensor) => Tensor.fromBuffer(binary(gy.gpu, 'mul', t.buffer, t.shape, gy.buffer, []).out, t.shape);
    return [img.requiresGrad ? times(sImg) : null, txt.requiresGrad ? times(sTxt) : null, ...(scaleT ? [scaleT.requiresGrad ? times(sScale) : null] : [])];
  });
  for (const t of [dScale, dImg, dTxt]) t?.dispose();
  return { loss: out, accImage, accText };
}
