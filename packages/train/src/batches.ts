/**
 * Training batches with a position that survives a restart.
 *
 * The PatchStream's shuffle buffer and prefetch window are not state one can save, so the
 * stream is reseeded per epoch instead: epoch e is a one-pass PatchStream over the training
 * images with seed hash32(runSeed, 'train-epoch', e). Its batches are then a function of
 * (images, seed, e) alone, and a position is (epoch, batches of it consumed). A resume
 * rebuilds that epoch's stream and skips the consumed batches (they are decoded and dropped:
 * at most one epoch of decoding, no model work), which gives bit-identical batches.
 *
 * One batch is requested ahead, so the next epoch's decode workers start while the last
 * step of the current one runs.
 */
import { ExifTokenizer, PatchStream, hash32, type IndexEntry, type PatchBatch, type StreamSkip, type TextOptions } from '@exif-lang/data';

export interface BatchPosition {
  epoch: number;
  /** batches of `epoch` already consumed */
  batch: number;
}

export interface BatchSource {
  entries: readonly IndexEntry[];
  seed: number;
  batchSize: number;
  patchSize: number;
  cropsPerImage: number;
  /** crops of each image in one batch (default 1) */
  cropsPerStep?: number;
  cropAlign?: number;
  workers: number;
  tokenizer: ExifTokenizer;
  /** tag set and ablations of the texts (text-options.ts) */
  text?: Omit<TextOptions, 'seed'>;
  onSkip?: (s: StreamSkip) => void;
}

export interface PositionedBatch {
  batch: PatchBatch;
  /** the position after this batch (what a checkpoint taken after its step stores) */
  after: BatchPosition;
}

export function epochSeed(seed: number, epoch: number): number {
  return hash32(seed, 'train-epoch', epoch);
}

export class TrainBatches {
  private readonly gen: AsyncGenerator<PositionedBatch>;
  private ahead: Promise<IteratorResult<PositionedBatch>> | null = null;

  constructor(private readonly src: BatchSource, start: BatchPosition = { epoch: 0, batch: 0 }) {
    this.gen = this.run(start);
  }

  private streamFor(epoch: number): PatchStream {
    const s = this.src;
    return new PatchStream(s.entries, {
      batchSize: s.batchSize, patchSize: s.patchSize, cropsPerImage: s.cropsPerImage, cropsPerStep: s.cropsPerStep, cropAlign: s.cropAlign, workers: s.workers,
      seed: epochSeed(s.seed, epoch), epochs: 1, split: 'all', tokenizer: s.tokenizer,
      text: s.text, onSkip: s.onSkip,
    });
  }

  private async *run(start: BatchPosition): AsyncGenerator<PositionedBatch> {
    for (let epoch = start.epoch; ; epoch++) {
      const skip = epoch === start.epoch ? start.batch : 0;
      let n = 0;
      for await (const batch of this.streamFor(epoch)) {
        n++;
        if (n <= skip) continue;
        yield { batch, after: { epoch, batch: n } };
      }
      if (n === 0) throw new Error(`epoch ${epoch} gave no batch of ${this.src.batchSize} distinct images from ${this.src.entries.length} training images (all skipped?)`);
    }
  }

  /** The next batch (and, in the background, the one after). */
  async next(): Promise<PositionedBatch> {
    const r = await (this.ahead ?? this.gen.next());
    if (r.done) throw new Error('training batches ended');
    this.ahead = this.gen.next();
    return r.value;
  }

  /** Stops the decode workers. */
  async close(): Promise<void> {
    const pending = this.ahead;
    this.ahead = null;
    // The generator is busy while a request is pending: let it finish before returning it.
    if (pending) await pending.catch(() => undefined);
    await this.gen.return(undefined);
  }
}
