/**
 * Validation retrieval on held-out images: several fixed crops per validation image (seeded,
 * cut once at start-up, so every evaluation sees the same patches, on the training run's crop
 * grid when it has one) and the distinct EXIF texts of those images. The model embeds them in
 * eval mode without gradients, in chunks of the training batch size (the last chunk padded by
 * repeating its first row, so no new kernel shapes get compiled), and the host ranks every crop
 * against every text (retrieval.ts): top-1 and top-5 both ways.
 */
import type { Gpu } from '@exif-lang/kernels';
import { ExifTokenizer, PatchStream, hash32, type IndexEntry, type TextOptions } from '@exif-lang/data';
import { keep, noGrad, scope, tensor, type ExifClip, type Tensor } from '@exif-lang/models';
import { retrievalTopK, type CropRetrievalScores } from './retrieval.ts';

export interface ValidationSet {
  /** images */
  count: number;
  /** crops (rows of `images`) */
  crops: number;
  patchSize: number;
  tokenLength: number;
  /** [M, S, S, 3] CLIP-normalised NHWC */
  images: Float32Array;
  /** the distinct text of each crop's image: index into the text rows */
  target: Int32Array;
  /** [D, T] token ids and mask of the distinct texts */
  ids: Uint32Array;
  mask: Uint32Array;
  /** image id of each crop */
  sources: string[];
  /** D: equal texts (same camera and settings) are one candidate */
  distinctTexts: number;
}

export interface ValidationSource {
  entries: readonly IndexEntry[];
  seed: number;
  patchSize: number;
  workers: number;
  tokenizer: ExifTokenizer;
  /** crops per image (default 1) */
  crops?: number;
  /**
   * crop corners on multiples of this (default 1: anywhere). Training passes its own
   * `data.cropAlign`, so a model trained on the JPEG block grid is validated on it too.
   */
  cropAlign?: number;
  text?: Omit<TextOptions, 'seed'>;
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

/** `crops` crops per image (null when fewer than 2 images decode). */
export async function loadValidationSet(src: ValidationSource): Promise<ValidationSet | null> {
  if (src.entries.length < 2) return null;
  const K = src.crops ?? 1;
  const stream = new PatchStream(src.entries, {
    batchSize: src.entries.length * K, patchSize: src.patchSize, cropsPerImage: K, cropAlign: src.cropAlign ?? 1, distinctImages: false, workers: src.workers, seed: hash32(src.seed, 'validation'),
    epochs: 1, split: 'all', dropLast: false, tokenizer: src.tokenizer, text: src.text,
  });
  const images: Float32Array[] = [];
  const sources: string[] = [];
  const target: number[] = [];
  const textIndex = new Map<string, number>();
  const ids: Uint32Array[] = [];
  const mask: Uint32Array[] = [];
  let T = 0;
  for await (const b of stream) {
    T = b.tokenLength;
    images.push(b.images);
    sources.push(...b.sources);
    b.texts.forEach((t, i) => {
      let j = textIndex.get(t);
      if (j === undefined) {
        textIndex.set(t, (j = textIndex.size));
        ids.push(b.ids.slice(i * T, (i + 1) * T));
        mask.push(b.mask.slice(i * T, (i + 1) * T));
      }
      target.push(j);
    });
  }
  const count = new Set(sources).size;
  if (count < 2) return null;
  return {
    count, crops: sources.length, patchSize: src.patchSize, tokenLength: T, images: concat(images, (n) => new Float32Array(n)), target: Int32Array.from(target),
    ids: concat(ids, (n) => new Uint32Array(n)), mask: concat(mask, (n) => new Uint32Array(n)), sources, distinctTexts: textIndex.size,
  };
}

/** Rows [start, start + chunk) of a row-major array, padded with copies of row `start`. */
function rows<A extends Float32Array | Uint32Array>(a: A, rowLen: number, start: number, count: number, chunk: number): A {
  const out = new (a.constructor as new (n: number) => A)(chunk * rowLen);
  out.set(a.subarray(start * rowLen, (start + count) * rowLen));
  for (let r = count; r < chunk; r++) out.copyWithin(r * rowLen, 0, rowLen);
  return out;
}

/** Embeds `count` rows in chunks of `chunk` (the last padded) and returns [count, E] on the host. */
async function embedRows(count: number, chunk: number, E: number, embed: (start: number, n: number) => Tensor): Promise<Float32Array> {
  const out = new Float32Array(count * E);
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const y = noGrad(() => scope(() => keep(embed(start, n))));
    try {
      out.set((await y.data()).subarray(0, n * E), start * E);
    } finally {
      y.dispose();
    }
  }
  return out;
}

/** Embeds the set and scores retrieval; leaves the model in the mode it found it in. */
export async function evaluateRetrieval(gpu: Gpu, model: ExifClip, set: ValidationSet, chunk: number): Promise<CropRetrievalScores> {
  const wasTraining = model.training;
  model.eval();
  const S = set.patchSize;
  const T = set.tokenLength;
  const E = model.embedDim;
  try {
    const img = await embedRows(set.crops, chunk, E, (start, n) => model.encodeImage(tensor(gpu, rows(set.images, S * S * 3, start, n, chunk), [chunk, S, S, 3])));
    const txt = await embedRows(set.distinctTexts, chunk, E, (start, n) =>
      model.encodeText(tensor(gpu, rows(set.ids, T, start, n, chunk), [chunk, T], 'u32'), tensor(gpu, rows(set.mask, T, start, n, chunk), [chunk, T], 'u32')),
    );
    return retrievalTopK(img, txt, set.target, set.count, E);
  } finally {
    model.train(wasTraining);
  }
}
