/**
 * Text tower embeddings of EXIF strings, L2-normalised (cosine similarity is a dot product),
 * in batches padded to their longest text (masked mean pooling ignores the padding, so the
 * result does not depend on how texts were batched).
 */
import type { ExifTokenizer } from '@exif-lang/data';
import { keep, noGrad, scope, tensor, type ExifClip } from '@exif-lang/models';
import { l2NormalizeHost } from './similarity.ts';

export const TEXT_BATCH = 16;

export async function embedTexts(model: ExifClip, tokenizer: ExifTokenizer, texts: readonly string[], onProgress?: (done: number, total: number) => void): Promise<Float32Array> {
  const dim = model.embedDim;
  const out = new Float32Array(texts.length * dim);
  for (let start = 0; start < texts.length; start += TEXT_BATCH) {
    const b = tokenizer.encodeBatch(texts.slice(start, start + TEXT_BATCH), 'longest');
    const y = noGrad(() => scope(() => keep(model.encodeText(
      tensor(model.gpu, b.ids, [b.batch, b.length], 'u32'), tensor(model.gpu, b.mask, [b.batch, b.length], 'u32'),
    ))));
    out.set((await y.data()).subarray(0, b.batch * dim), start * dim);
    y.dispose();
    onProgress?.(Math.min(texts.length, start + TEXT_BATCH), texts.length);
  }
  return l2NormalizeHost(out, dim);
}
