/**
 * The training input: batches of native-resolution patches with their EXIF texts.
 *
 * Per epoch, images are visited in a seeded order (order.ts); each decoded image gives K crops
 * (positions drawn from a generator seeded by (seed, image id, epoch)); crops go through a
 * shuffle buffer; a batch never holds two crops of one image by default (they would be false
 * negatives for InfoNCE). Decoding runs in worker threads with a prefetch window. Results are
 * consumed strictly in submission order (sequence numbers) and every random draw is seeded, so
 * the same seed gives the same batches whatever the worker timing. With `cropsPerStep` S > 1 the
 * crops of an image travel in groups of S: a batch holds B distinct images with S crops each
 * (B x S patches, laid out crop-major: the first B patches are crop 0 of every image, ...) and
 * B texts, one per image. Images that fail (corrupt,
 * too small, timeout) are reported through onSkip and counted; they never end a run or drop a
 * batch: batches are formed only from patches that decoded.
 */
import { exifToText, type TextOptions } from '../exif/text.ts';
import { normalizeBytes, randomCrop, type Crop } from '../image/patch.ts';
import { readShard } from '../sources/webdataset.ts';
import { ExifTokenizer } from '../text/tokenizer.ts';
import { derivedRng, hash32, randInt } from '../util/rng.ts';
import type { DecodeJob, DecodeJobResult } from './job.ts';
import { epochUnits, type StreamEntry } from './order.ts';
import { DecodePool } from './pool.ts';
import { DEFAULT_VAL_FRACTION, filterSplit, type Split } from './split.ts';

export interface PatchStreamOptions {
  batchSize: number;
  /** Patch side in pixels (default 124, the paper's). */
  patchSize?: number;
  /** Crops cut from each decoded image (default 4). */
  cropsPerImage?: number;
  /**
   * Crops of one image that go into the same batch (default 1; must divide cropsPerImage). A
   * batch then holds batchSize images x cropsPerStep patches and batchSize texts.
   */
  cropsPerStep?: number;
  /** Crop corners on multiples of this (default 1: anywhere; 8: on the JPEG block grid). */
  cropAlign?: number;
  /** Patches held for mixing (default max(4 x batch, 2 x batch x K)). */
  shuffleBuffer?: number;
  /** No two crops of one image in a batch (default true). */
  distinctImages?: boolean;
  /** Decode worker threads (default 2; 0 decodes inline). */
  workers?: number;
  /** Images being decoded ahead of the consumer (default 4 x workers, at least 2). */
  prefetch?: number;
  seed?: number;
  /** Passes over the data (default 1; Infinity for an endless stream). */
  epochs?: number;
  split?: Split | 'all';
  valFraction?: number;
  /** Tag set and ablations of the texts; shuffle/dropout are seeded per (seed, image, epoch). */
  text?: Omit<TextOptions, 'seed'>;
  tokenizer?: ExifTokenizer;
  /** Accept partially decodable images (default false). */
  allowPartial?: boolean;
  /** Per-image decode limit (default 30 s). */
  timeoutMs?: number;
  /** Drop the last incomplete batch (default true: fixed shapes for the kernels). */
  dropLast?: boolean;
  onSkip?: (skip: StreamSkip) => void;
}

export interface StreamSkip {
  id: string;
  epoch: number;
  reason: string;
  detail: string;
}

export interface PatchBatch {
  /** Batch number from 0, across epochs. */
  index: number;
  /** Epoch of the newest patch in the batch. */
  epoch: number;
  /** B: images (and texts) in the batch */
  batchSize: number;
  /** K: crops of each image; the batch holds K x B patches */
  cropsPerStep: number;
  patchSize: number;
  /** T, the tokenizer's max length. */
  tokenLength: number;
  /** [K x B, S, S, 3] float32, CLIP-normalized, NHWC; patch k x B + b is crop k of image b. */
  images: Float32Array;
  /** [B, T] token ids. */
  ids: Uint32Array;
  /** [B, T] 1 = token, 0 = padding. */
  mask: Uint32Array;
  texts: string[];
  /** Image id of each of the B images. */
  sources: string[];
}

export interface StreamStats {
  images: number;
  patches: number;
  batches: number;
  droppedPatches: number;
  skipped: Record<string, number>;
}

/** What the shuffle buffer holds: cropsPerStep crops of one image (one crop by default). */
interface Patch {
  imageId: string;
  crops: Uint8Array[];
  text: string;
  epoch: number;
}

interface Planned {
  entry: StreamEntry;
  epoch: number;
  crops: Crop[];
  text: string;
  result: Promise<DecodeJobResult>;
}

export class PatchStream implements AsyncIterable<PatchBatch> {
  readonly entries: readonly StreamEntry[];
  readonly stats: StreamStats = { images: 0, patches: 0, batches: 0, droppedPatches: 0, skipped: {} };
  private readonly o: Required<Omit<PatchStreamOptions, 'onSkip' | 'text' | 'tokenizer' | 'shuffleBuffer' | 'prefetch'>> &
    Pick<PatchStreamOptions, 'onSkip' | 'text'>;
  private readonly tokenizer: ExifTokenizer;
  private readonly capacity: number;
  private readonly prefetch: number;
  private readonly tokenCache = new Map<string, number[]>();

  constructor(entries: readonly StreamEntry[], options: PatchStreamOptions) {
    const o = {
      patchSize: 124, cropsPerImage: 4, cropsPerStep: 1, cropAlign: 1, distinctImages: true, workers: 2, seed: 0, epochs: 1, split: 'all' as Split | 'all',
      valFraction: DEFAULT_VAL_FRACTION, allowPartial: false, timeoutMs: 30_000, dropLast: true, ...options,
    };
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${o.batchSize}`);
    if (!Number.isInteger(o.cropsPerImage) || o.cropsPerImage < 1) throw new Error(`cropsPerImage must be >= 1, got ${o.cropsPerImage}`);
    if (!Number.isInteger(o.cropsPerStep) || o.cropsPerStep < 1 || o.cropsPerImage % o.cropsPerStep !== 0) {
      throw new Error(`cropsPerStep must be a positive divisor of cropsPerImage = ${o.cropsPerImage}, got ${o.cropsPerStep}`);
    }
    if (!Number.isInteger(o.cropAlign) || o.cropAlign < 1) throw new Error(`cropAlign must be a positive integer, got ${o.cropAlign}`);
    if (o.cropsPerStep > 1 && !o.distinctImages) throw new Error('cropsPerStep > 1 groups the crops of an image: it needs distinctImages');
    this.o = o;
    // Sorting makes the run independent of the order the index lists files in.
    this.entries = filterSplit(entries, o.split, o.valFraction).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.tokenizer = options.tokenizer ?? new ExifTokenizer();
    // in buffer units (groups of cropsPerStep crops)
    this.capacity = Math.max(options.shuffleBuffer ?? Math.max(4 * o.batchSize, (2 * o.batchSize * o.cropsPerImage) / o.cropsPerStep), o.batchSize);
    this.prefetch = Math.max(2, options.prefetch ?? 4 * Math.max(1, o.workers));
  }

  private skip(id: string, epoch: number, reason: string, detail: string): void {
    this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
    this.o.onSkip?.({ id, epoch, reason, detail });
  }

  /** Every image to decode, in order, across epochs (tar shards read as they come). */
  private async *plan(pool: DecodePool): AsyncGenerator<Planned> {
    const { seed, patchSize: S, cropsPerImage: K, cropAlign, allowPartial } = this.o;
    let seq = 0;
    const plan = (entry: StreamEntry, epoch: number, bytes?: Uint8Array): Planned | undefined => {
      const rng = derivedRng(seed, 'crop', entry.id, epoch);
      const crops: Crop[] = [];
      for (let k = 0; k < K; k++) {
        const c = randomCrop(entry.width, entry.height, S, rng, cropAlign);
        if (!c) {
          this.skip(entry.id, epoch, 'smaller-than-patch', `${entry.width}x${entry.height} < ${S}x${S}`);
          return undefined;
        }
        crops.push(c);
      }
      const text = exifToText({ tags: entry.exif }, { ...this.o.text, seed: hash32(seed, 'text', entry.id, epoch) });
      const job: DecodeJob = { seq: seq++, id: entry.id, path: entry.path, bytes, crops, allowPartial };
      return { entry, epoch, crops, text, result: pool.run(job) };
    };
    for (let epoch = 0; epoch < this.o.epochs; epoch++) {
      if (this.entries.length === 0) return;
      for (const unit of epochUnits(this.entries, seed, epoch)) {
        if (unit.kind === 'file') {
          const p = plan(unit.entry, epoch);
          if (p) yield p;
          continue;
        }
        const byMember = new Map(unit.entries.map((e) => [e.member ?? '', e]));
        const seen = new Set<string>();
        for await (const sample of readShard(unit.path, undefined, new Set(byMember.keys()))) {
          if (sample.error !== undefined) continue;
          const entry = byMember.get(sample.member ?? '');
          if (!entry) continue;
          seen.add(entry.id);
          const p = plan(entry, epoch, sample.bytes);
          if (p) yield p;
        }
        for (const e of unit.entries) if (!seen.has(e.id)) this.skip(e.id, epoch, 'missing-from-shard', `${e.member} not readable in ${unit.path}`);
      }
    }
  }

  private encode(text: string): number[] {
    let ids = this.tokenCache.get(text);
    if (!ids) {
      if (this.tokenCache.size > 50_000) this.tokenCache.clear();
      ids = this.tokenizer.encode(text).ids;
      this.tokenCache.set(text, ids);
    }
    return ids;
  }

  private makeBatch(patches: Patch[]): PatchBatch {
    const S = this.o.patchSize;
    const K = this.o.cropsPerStep;
    const B = patches.length;
    const n = S * S * 3;
    const images = new Float32Array(K * B * n);
    patches.forEach((p, b) => p.crops.forEach((bytes, k) => normalizeBytes(bytes, images, (k * B + b) * n)));
    const tok = this.tokenizer.packBatch(patches.map((p) => this.encode(p.text)), 'max-length');
    const batch: PatchBatch = {
      index: this.stats.batches++, epoch: Math.max(...patches.map((p) => p.epoch)), batchSize: B, cropsPerStep: K, patchSize: S,
      tokenLength: tok.length, images, ids: tok.ids, mask: tok.mask, texts: patches.map((p) => p.text), sources: patches.map((p) => p.imageId),
    };
    return batch;
  }

  /** Takes one batch from the buffer, or undefined when it cannot (yet) be formed. */
  private take(buffer: Patch[], rng: () => number, final: boolean): Patch[] | undefined {
    const B = this.o.batchSize;
    if (buffer.length === 0 || (!final && buffer.length < this.capacity)) return undefined;
    const picked: Patch[] = [];
    const used = new Set<string>();
    while (picked.length < B && buffer.length > 0) {
      const j = randInt(rng, buffer.length);
      let k = -1;
      for (let t = 0; t < buffer.length; t++) {
        const idx = (j + t) % buffer.length;
        if (!this.o.distinctImages || !used.has(buffer[idx].imageId)) {
          k = idx;
          break;
        }
      }
      if (k < 0) break;
      const p = buffer[k];
      buffer[k] = buffer[buffer.length - 1];
      buffer.pop();
      picked.push(p);
      used.add(p.imageId);
    }
    if (picked.length === B) return picked;
    if (!final) {
      buffer.push(...picked); // not enough distinct images yet: read more first
      return undefined;
    }
    if (!this.o.dropLast && picked.length > 0) return picked;
    this.stats.droppedPatches += (picked.length + buffer.length) * this.o.cropsPerStep;
    buffer.length = 0;
    return undefined;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PatchBatch> {
    const pool = new DecodePool({ workers: this.o.workers, timeoutMs: this.o.timeoutMs, perWorker: Math.ceil(this.prefetch / Math.max(1, this.o.workers)) });
    const rng = derivedRng(this.o.seed, 'shuffle-buffer');
    const buffer: Patch[] = [];
    const window: Planned[] = [];
    const planned = this.plan(pool);
    try {
      let exhausted = false;
      while (!exhausted || window.length > 0) {
        while (!exhausted && window.length < this.prefetch) {
          const next = await planned.next();
          if (next.done) exhausted = true;
          else window.push(next.value);
        }
        const head = window.shift();
        if (!head) break;
        const r = await head.result;
        if (!r.ok) {
          this.skip(head.entry.id, head.epoch, r.reason, r.detail);
        } else {
          this.stats.images++;
          const K = this.o.cropsPerStep;
          for (let i = 0; i < r.patches.length; i += K) buffer.push({ imageId: head.entry.id, crops: r.patches.slice(i, i + K), text: head.text, epoch: head.epoch });
          this.stats.patches += r.patches.length;
        }
        for (let b = this.take(buffer, rng, false); b; b = this.take(buffer, rng, false)) yield this.makeBatch(b);
      }
      for (let b = this.take(buffer, rng, true); b; b = this.take(buffer, rng, true)) yield this.makeBatch(b);
    } finally {
      await planned.return(undefined);
      await pool.close();
    }
  }
}
