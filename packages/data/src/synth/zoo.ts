/**
 * The synthetic camera zoo as a dataset: N cameras, M JPEGs (each camera shooting fresh
 * random scenes in turn), EXIF matching the simulated settings, and manifests.
 *
 * Layout of `out`:
 *   images/<index>_<camera>.jpg
 *   manifest.jsonl   one SynthRecord per line (path relative to `out`, camera, EXIF values, scene)
 *   manifest.csv     file,width,height,make,model,camera (same columns as the sample photos' manifest, minus provenance)
 *   cameras.json     the full camera profiles (the hidden pipeline parameters)
 *
 * Deterministic: image i depends only on (seed, i) and the zoo, so the same seed gives
 * byte-identical files (libjpeg output is deterministic for identical input and options).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { CameraProfile } from './camera.ts';
import { makeCameraZoo, type ZooSizes } from './camera-zoo.ts';
import { exifValues, sharpExif, type ExifValues } from './exif-tags.ts';
import { renderShot } from './pipeline.ts';
import { Random } from './random.ts';

export interface SynthRecord {
  /** Relative to the dataset folder. */
  path: string;
  camera: string;
  make: string;
  model: string;
  width: number;
  height: number;
  /** Tags as written, with the values exifr reads back (translateValues: false). */
  exif: ExifValues;
  /** Hidden truth about the shot (not in EXIF). */
  scene: { kind: string; ev: number; illuminantK: number; flashExposure: number; digitalZoom: number };
  jpeg: { quality: number; chroma: string; table: number };
}

export interface SynthImage {
  jpeg: Buffer;
  record: SynthRecord;
}

/** Renders and encodes image `index` of the zoo in memory (the embedded default dataset needs no files). */
export async function synthImage(cameras: readonly CameraProfile[], seed: number, index: number): Promise<SynthImage> {
  const cam = cameras[index % cameras.length];
  const { width, height, rgb, shot } = renderShot(cam, Random.seeded(seed).fork('image', index));
  const jpeg = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .withMetadata({ density: cam.dpi })
    .jpeg({ quality: cam.jpeg.quality, chromaSubsampling: cam.jpeg.chroma, quantisationTable: cam.jpeg.table, optimiseCoding: true })
    .withExif(sharpExif(cam, shot))
    .toBuffer();
  const name = `${String(index).padStart(6, '0')}_${cam.id}.jpg`;
  return {
    jpeg,
    record: {
      path: `images/${name}`,
      camera: cam.id,
      make: cam.make,
      model: cam.model,
      width,
      height,
      exif: exifValues(cam, shot),
      scene: { kind: shot.sceneKind, ev: round(shot.ev, 3), illuminantK: Math.round(shot.illuminantK), flashExposure: round(shot.flashExposure, 4), digitalZoom: shot.digitalZoom },
      jpeg: { ...cam.jpeg },
    },
  };
}

function round(v: number, d: number): number {
  return Math.round(v * 10 ** d) / 10 ** d;
}

export interface SynthOptions extends ZooSizes {
  cameras: number;
  images: number;
  seed: number;
  out: string;
  onProgress?: (done: number, total: number) => void;
}

export interface SynthResult {
  cameras: CameraProfile[];
  records: SynthRecord[];
  seconds: number;
}

export const SYNTH_DEFAULTS = { cameras: 8, images: 200, seed: 0, minSize: 160, maxSize: 384 } as const;

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function generateSynthZoo(opts: SynthOptions): Promise<SynthResult> {
  if (!Number.isInteger(opts.images) || opts.images < 1) throw new Error(`synth: --images must be a positive integer, got ${opts.images}`);
  const t0 = performance.now();
  const cameras = makeCameraZoo(opts.cameras, opts.seed, opts);
  await mkdir(join(opts.out, 'images'), { recursive: true });
  const records: SynthRecord[] = [];
  // Rendering is synchronous JS; encoding and writing run in libuv's pool. Keeping one
  // image in flight overlaps the two without changing any output.
  let inflight: Promise<void> | null = null;
  for (let i = 0; i < opts.images; i++) {
    const img = synthImage(cameras, opts.seed, i);
    if (inflight) await inflight;
    inflight = img.then(async ({ jpeg, record }) => {
      await writeFile(join(opts.out, record.path), jpeg);
      records.push(record);
      opts.onProgress?.(records.length, opts.images);
    });
  }
  if (inflight) await inflight;
  records.sort((a, b) => (a.path < b.path ? -1 : 1));
  await writeFile(join(opts.out, 'manifest.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const csv = ['file,width,height,make,model,camera', ...records.map((r) => [r.path, r.width, r.height, r.make, r.model, r.camera].map(csvField).join(','))];
  await writeFile(join(opts.out, 'manifest.csv'), csv.join('\n') + '\n');
  await writeFile(join(opts.out, 'cameras.json'), JSON.stringify({ seed: opts.seed, minSize: opts.minSize, maxSize: opts.maxSize, cameras }, null, 2) + '\n');
  return { cameras, records, seconds: (performance.now() - t0) / 1000 };
}
