/**
 * Validation retrieval on held-out images: one fixed crop per validation image (seeded, cut
 * once at start-up, so every evaluation sees the same patches) and its EXIF text. The model
 * embeds them in eval mode without gradients, in chunks of the training batch size (the last
 * chunk padded by repeating its first row, so no new kernel shapes get compiled), and the
 * host scores top-1 retrieval both ways (retrieval.ts).
 */
import type { Gpu } from '@exif-lang/kernels';
import { ExifTokenizer, PatchStream, hash32, type IndexEntry } from '@exif-lang/data';
import { keep, noGrad, scope, tensor, type ExifClip } from '@exif-lang/models';
import { retrievalTop1, type RetrievalScores } from './retrieval.ts';

export interface ValidationSet {
  count: number;
  patchSize: number;
  tokenLength: number;
  /** [N, S, S, 3] CLIP-normalised NHWC */
  images: Float32Array;
  /** [N, T] */
  ids: Uint32Array;
  mask: Uint32Array;
  /** image id of each row */
  sources: string[];
  /** distinct texts among the rows (equal texts cannot be told apart by text -> patch) */
  distinctTexts: number;
}

export interface ValidationSource {
  entries: readonly IndexEntry[];
  seed: number;
  patchSize: number;
  workers: number;
  tokenizer: ExifTokenizer;
  tags?: readonly string[];
}

function concat<A extends Float32Array | Uint32Array>(parts: readonly A[], make: (n: number) => A): A {
  const out = make(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One crop per image (null when fewer than 2 images decode). */
export async function loadValidationSet(src: ValidationSource): Promise<ValidationSet | null> {
  if (src.entries.length < 2) return null;
  const stream = new PatchStream(src.entries, {
    batchSize: src.entries.length, patchSize: src.patchSize, cropsPerImage: 1, workers: src.workers, seed: hash32(src.seed, 'validation'),
    epochs: 1, split: 'all', dropLast: false, tokenizer: src.tokenizer, text: src.tags ? { tags: src.tags } : undefined,
  });
  const images: Float32Array[] = [];
  const ids: Uint32Array[] = [];
  const mask: Uint32Array[] = [];
  const sources: string[] = [];
  const texts = new Set<string>();
  let T = 0;
  for await (const b of stream) {
    images.push(b.images);
    ids.push(b.ids);
    mask.push(b.mask);
    sources.push(...b.sources);
    for (const t of b.texts) texts.add(t);
    T = b.tokenLength;
  }
  if (sources.length < 2) return null;
  return {
    count: sources.length, patchSize: src.patchSize, tokenLength: T, images: concat(images, (n) => new Float32Array(n)), ids: concat(ids, (n) => new Uint32Array(n)), mask: concat(mask, (n) => new Uint32Array(n)), sources,
    distinctTexts: texts.size,
  };
}

/** Rows [start, start + chunk) of a row-major array, padded with copies of row `start`. */
function rows<A extends Float32Array | Uint32Array>(a: A, rowLen: number, start: number, count: number, chunk: number): A {
  const out = new (a.constructor as new (n: number) => A)(chunk * rowLen);
  out.set(a.subarray(start * rowLen, (start + count) * rowLen));
  for (let r = count; r < chunk; r++) out.copyWithin(r * rowLen, 0, rowLen);
  return out;
}

/** Embeds the set and scores retrieval; leaves the model in the mode it found it in. */
export async function evaluateRetrieval(gpu: Gpu, model: ExifClip, set: ValidationSet, chunk: number): Promise<RetrievalScores> {
  const wasTraining = model.training;
  model.eval();
  const S = set.patchSize;
  const T = set.tokenLength;
  const E = model.embedDim;
  const img = new Float32Array(set.count * E);
  const txt = new Float32Array(set.count * E);
  try {
    for (let start = 0; start < set.count; start += chunk) {
      const n = Math.min(chunk, set.count - start);
      const out = noGrad(() =>
        scope(() => {
          const x = tensor(gpu, rows(set.images, S * S * 3, start, n, chunk), [chunk, S, S, 3]);
          const ids = tensor(gpu, rows(set.ids, T, start, n, chunk), [chunk, T], 'u32');
          const mask = tensor(gpu, rows(set.mask, T, start, n, chunk), [chunk, T], 'u32');
          return { i: keep(model.encodeImage(x)), t: keep(model.encodeText(ids, mask)) };
        }),
      );
      try {
        img.set((await out.i.data()).subarray(0, n * E), start * E);
        txt.set((await out.t.data()).subarray(0, n * E), start * E);
      } finally {
        out.i.dispose();
        out.t.dispose();
      }
    }
  } finally {
    model.train(wasTraining);
  }
  return retrievalTop1(img, txt, set.count, E);
}
