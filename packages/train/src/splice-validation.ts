/**
 * Validation splice localization during training: a small cross-camera splice set generated
 * once from the held-apart validation photos (data.valSplices; the data package's generator,
 * `--split val` as `data splices` does, so no photo the model trains on appears), localized
 * with the official procedure (eval's localize, mean-shift map) and scored by p-mAP (eval's
 * metrics) with the model in eval mode. The set is cached in the run's folder behind a marker
 * like the other generated data, so a resumed run scores the same images.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Gpu } from '@exif-lang/kernels';
import { decodeImage, generateSplices, type RgbImage } from '@exif-lang/data';
import type { ExifClip } from '@exif-lang/models';
import { listDataset, loadMask, localize, meanScores, modelExtractor, scoreLocalization } from '@exif-lang/eval';
import type { TrainConfig } from './config.ts';

export interface SpliceValidationSet {
  dir: string;
  images: { name: string; image: RgbImage; labels: Uint8Array }[];
  perSide: number;
}

export interface SpliceScores {
  /** mean per-image average precision of the mean-shift map (max with its inverse) */
  pmap: number;
  /** the official cIoU */
  ciou: number;
  images: number;
  seconds: number;
}

const MARKER = '.complete.json';

/** Generates (or reuses) the set; null when it is off or cannot be made from this source (the reason is logged). */
export async function prepareSpliceValidation(c: TrainConfig, photos: string, log: (s: string) => void): Promise<SpliceValidationSet | null> {
  const v = c.data.valSplices;
  if (v.count === 0) return null;
  if (/\.jsonl$/i.test(photos)) {
    log(`validation splices: skipped (the source ${photos} is an index, not a folder of photos to cut splices from)`);
    return null;
  }
  const dir = join(c.run.out, 'data', 'val-splices');
  const want = `${JSON.stringify({ photos: resolve(photos), valFraction: c.data.valFraction, ...v, perSide: undefined })}\n`;
  const marker = join(dir, MARKER);
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== want) {
    log(`validation splices: generating ${v.count} from the held-apart photos of ${photos} (host crops <= ${v.maxSize} px)`);
    const tmp = `${dir}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    try {
      await generateSplices({ photos, out: tmp, count: v.count, seed: v.seed, maxSize: v.maxSize, minSize: Math.max(c.data.patchSize, 16), split: { keep: 'val', valFraction: c.data.valFraction } });
    } catch (e) {
      log(`validation splices: skipped (${(e as Error).message})`);
      await rm(tmp, { recursive: true, force: true });
      return null;
    }
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    await writeFile(marker, want);
  }
  const listing = await listDataset('generated', dir, { check: false });
  const images: SpliceValidationSet['images'] = [];
  for (const s of listing.samples.filter((x) => x.spliced)) {
    const d = await decodeImage(s.image);
    if (!d.ok) throw new Error(`validation splices: cannot decode ${s.image} (${d.reason}); delete ${dir} to regenerate`);
    images.push({ name: s.name, image: d.image, labels: await loadMask(listing, s, d.image.width, d.image.height) });
  }
  return { dir, images, perSide: v.perSide };
}

/** Localizes every spliced image with the model's image tower; leaves the model in the mode it found it in. */
export async function evaluateSpliceValidation(gpu: Gpu, model: ExifClip, set: SpliceValidationSet, patchSize: number): Promise<SpliceScores> {
  const t0 = performance.now();
  const wasTraining = model.training;
  model.eval(); // batch norm on running statistics, no dropout: the model as a checkpoint would run
  try {
    const extractor = modelExtractor(model, patchSize);
    const rows = [];
    for (const { name, image, labels } of set.images) {
      const loc = await localize(gpu, extractor, image, { perSide: set.perSide, name });
      rows.push(scoreLocalization(labels, loc.heatmap));
    }
    const m = meanScores(rows);
    return { pmap: m.pmap, ciou: m.ciou, images: rows.length, seconds: (performance.now() - t0) / 1000 };
  } finally {
    model.train(wasTraining);
  }
}
