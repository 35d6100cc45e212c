/**
 * The photos a splice set is cut from: every image under a folder with readable EXIF
 * Make and Model, grouped by camera. Anything else is skipped with a named reason, never
 * thrown: the sample photos and the corrupt-JPEG fuzz suite both go through here.
 */
import { relative } from 'node:path';
import sharp from 'sharp';
import { readExif } from '../exif/read.ts';
import { listFolder } from '../sources/folder.ts';

export interface CameraPhoto {
  path: string;
  /** Path relative to the scanned folder (what the manifest records). */
  rel: string;
  make: string;
  model: string;
  /** `make|model`: photos with the same key came from the same kind of camera. */
  camera: string;
  /** Stored (unrotated) size from the header; decodeImage returns pixels in this orientation. */
  width: number;
  height: number;
}

/** Why a file is not used: an EXIF or decode failure reason of readExif/decodeImage, or one of the splice generator's own. */
export type SkipReason = string;

export interface SkippedFile {
  rel: string;
  reason: SkipReason;
  detail: string;
}

export interface PhotoScan {
  root: string;
  /** Image files found (by extension). */
  files: number;
  photos: CameraPhoto[];
  skipped: SkippedFile[];
}

/** Reads EXIF and the image header of every image under `root`. `minSize`: both sides at least this many pixels. */
export async function scanCameraPhotos(root: string, minSize: number): Promise<PhotoScan> {
  const { images } = await listFolder(root);
  const photos: CameraPhoto[] = [];
  const skipped: SkippedFile[] = [];
  for (const path of images) {
    const rel = relative(root, path);
    const ex = await readExif(path);
    if (!ex.ok) {
      skipped.push({ rel, reason: ex.reason, detail: ex.detail });
      continue;
    }
    const { Make, Model } = ex.record.tags;
    if (typeof Make !== 'string' || typeof Model !== 'string' || Make === '' || Model === '') {
      skipped.push({ rel, reason: 'no-make-model', detail: `Make ${JSON.stringify(Make ?? null)}, Model ${JSON.stringify(Model ?? null)}` });
      continue;
    }
    let width = 0;
    let height = 0;
    try {
      const meta = await sharp(path).metadata();
      width = meta.width ?? 0;
      height = meta.height ?? 0;
    } catch (e) {
      skipped.push({ rel, reason: 'unreadable-header', detail: String((e as Error).message ?? e).split('\n')[0] });
      continue;
    }
    if (width < minSize || height < minSize) {
      skipped.push({ rel, reason: 'too-small', detail: `${width}x${height} < ${minSize} px` });
      continue;
    }
    photos.push({ path, rel, make: Make, model: Model, camera: `${Make}|${Model}`, width, height });
  }
  return { root, files: images.length, photos, skipped };
}

export function cameraCount(photos: readonly CameraPhoto[]): number {
  return new Set(photos.map((p) => p.camera)).size;
}

/** Counts per reason, sorted by reason. */
export function countReasons(skipped: readonly SkippedFile[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of [...skipped].sort((a, b) => (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0))) out[s.reason] = (out[s.reason] ?? 0) + 1;
  return out;
}
