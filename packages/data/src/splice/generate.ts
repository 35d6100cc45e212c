/**
 * Columbia-style splice sets: for each item, a host photo cropped to at most `maxSize`
 * px a side, a region (rectangle or free-form polygon, 10-40% of the crop by default)
 * copied at native resolution from a donor photo of a different (Make, Model), saved as
 * lossless PNG (and optionally re-saved as JPEG), with an exact mask and an authentic image
 * of the same size as a negative.
 *
 * Layout of `out`:
 *   spliced/<id>.png  [spliced/<id>.jpg]    the composite
 *   masks/<id>.png                          8-bit grey, 255 = spliced
 *   authentic/<id>.png [authentic/<id>.jpg] the negative: by default the untouched host crop
 *                                           (same content, size and saving), or with
 *                                           negatives 'other' a same-size crop of another photo
 *   manifest.json                           options, source summary with skip reasons, items
 *
 * Outputs carry no EXIF: a detector must judge the pixels, and a composite has no single
 * camera to describe. Deterministic by seed: item i draws from its own named stream, and
 * decode failures (which remove a photo from the pool) happen identically on every run.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, type DecodedImage } from '../image/decode.ts';
import { Random } from '../synth/random.ts';
import { cropRgb, maskToGrey, pasteRegion } from './compose.ts';
import { drawRegion, type Box, type RegionKind } from './region.ts';
import { cameraCount, countReasons, scanCameraPhotos, type CameraPhoto, type SkippedFile } from './sources.ts';
import { splitOf, type Split } from '../stream/split.ts';

export type ShapeChoice = RegionKind | 'mixed';
export type NegativeChoice = 'host' | 'other';

export interface SpliceOptions {
  photos: string;
  out: string;
  count: number;
  seed: number;
  /** Also write JPEG re-saves of the spliced and authentic images at this quality (1-100). */
  jpegQuality?: number;
  /** Host crops are at most this many pixels a side (default 1024). */
  maxSize?: number;
  /** Photos smaller than this on either side are skipped (default 128). */
  minSize?: number;
  minFraction?: number;
  maxFraction?: number;
  shapes?: ShapeChoice;
  negatives?: NegativeChoice;
  /** Decode every candidate up front so each bad file is reported, not only those picked (slower). */
  checkAll?: boolean;
  /**
   * Use only the photos on one side of the training split (stream/split.ts: by a hash of the
   * path relative to `photos`, as `train --data` splits the same folder), e.g. the held-apart
   * validation photos, so a model is evaluated on splices of photos it never trained on.
   */
  split?: { keep: Split; valFraction: number };
  onProgress?: (done: number, total: number) => void;
}

export interface SplicePhotoRef {
  path: string;
  make: string;
  model: string;
  width: number;
  height: number;
}

export interface SpliceItem {
  id: string;
  host: SplicePhotoRef & { crop: Box };
  donor: SplicePhotoRef & { origin: { x: number; y: number } };
  authentic: { path: string; crop: Box };
  region: { kind: RegionKind; bbox: Box; points: [number, number][] };
  areaFraction: number;
  files: { spliced: string; mask: string; authentic: string; splicedJpeg?: string; authenticJpeg?: string };
}

export interface SpliceManifest {
  version: 1;
  options: Omit<Required<SpliceOptions>, 'onProgress' | 'jpegQuality' | 'out' | 'split'> & { jpegQuality: number | null; split?: SpliceOptions['split'] };
  sources: { files: number; usable: number; cameras: number; skipped: Record<string, number>; skippedFiles: SkippedFile[] };
  items: SpliceItem[];
}

const DEFAULTS = { split: undefined as SpliceOptions['split'], maxSize: 1024, minSize: 128, minFraction: 0.1, maxFraction: 0.4, shapes: 'mixed' as ShapeChoice, negatives: 'host' as NegativeChoice, checkAll: false };
/** Tries per item before giving up (a try fails on a decode error or a donor too small for the region). */
const ATTEMPTS = 40;
/** Crops start on a multiple of 16 so the host keeps its JPEG block (and 4:2:0 MCU) grid at the origin. */
const GRID = 16;

function ref(p: CameraPhoto): SplicePhotoRef {
  return { path: p.rel, make: p.make, model: p.model, width: p.width, height: p.height };
}

function cameraError(photos: readonly CameraPhoto[], skipped: readonly SkippedFile[], files: number): Error {
  const cams = [...new Set(photos.map((p) => p.camera.replace('|', ' / ')))];
  const reasons = Object.entries(countReasons(skipped)).map(([r, n]) => `${r}: ${n}`).join(', ');
  return new Error(
    `splices: need photos from at least two distinct cameras (Make, Model); ${files} image file(s), ${photos.length} usable from ${cams.length} camera(s)` +
      `${cams.length > 0 ? ` [${cams.join('; ')}]` : ''}${reasons ? `; skipped ${reasons}` : ''}`,
  );
}

function validate(o: SpliceOptions & typeof DEFAULTS): void {
  if (!Number.isInteger(o.count) || o.count < 1) throw new Error(`splices: --count must be a positive integer, got ${o.count}`);
  if (o.jpegQuality !== undefined && !(Number.isInteger(o.jpegQuality) && o.jpegQuality >= 1 && o.jpegQuality <= 100)) throw new Error(`splices: --jpeg-quality must be 1..100, got ${o.jpegQuality}`);
  if (!(o.minFraction > 0 && o.minFraction <= o.maxFraction && o.maxFraction < 1)) throw new Error(`splices: need 0 < min-fraction <= max-fraction < 1, got ${o.minFraction}..${o.maxFraction}`);
  if (!(o.maxSize >= 32 && o.minSize >= 16)) throw new Error(`splices: max-size must be >= 32 and min-size >= 16`);
  if (!['rect', 'polygon', 'mixed'].includes(o.shapes)) throw new Error(`splices: shapes must be rect, polygon or mixed, got ${o.shapes}`);
  if (!['host', 'other'].includes(o.negatives)) throw new Error(`splices: negatives must be host or other, got ${o.negatives}`);
}

export async function generateSplices(options: SpliceOptions): Promise<SpliceManifest> {
  const o = { ...DEFAULTS, ...options };
  validate(o);
  const st = await stat(o.photos).catch(() => null);
  if (!st?.isDirectory()) throw new Error(`splices: --photos must be a folder of photos, '${o.photos}' ${st ? 'is not a folder' : 'does not exist'}`);
  const scan = await scanCameraPhotos(o.photos, o.minSize);
  if (o.split) {
    const { keep, valFraction } = o.split;
    scan.photos = scan.photos.filter((p) => splitOf(p.rel, valFraction) === keep);
  }
  const skipped = [...scan.skipped];
  const alive = new Map(scan.photos.map((p) => [p.rel, p]));

  // A few decoded images stay cached: hosts and donors repeat when count exceeds the photos.
  const cache = new Map<string, DecodedImage>();
  const load = async (p: CameraPhoto): Promise<DecodedImage | null> => {
    const hit = cache.get(p.rel);
    if (hit) return hit;
    const r = await decodeImage(p.path);
    if (!r.ok || r.image.width !== p.width || r.image.height !== p.height) {
      skipped.push(r.ok ? { rel: p.rel, reason: 'size-mismatch', detail: `header ${p.width}x${p.height}, decoded ${r.image.width}x${r.image.height}` } : { rel: p.rel, reason: r.reason, detail: r.detail });
      alive.delete(p.rel);
      return null;
    }
    cache.set(p.rel, r.image);
    if (cache.size > 4) cache.delete(cache.keys().next().value as string);
    return r.image;
  };
  if (o.checkAll) {
    for (const p of scan.photos) {
      await load(p);
      cache.clear();
    }
  }
  const pool = (): CameraPhoto[] => [...alive.values()];
  if (cameraCount(pool()) < 2) throw cameraError(pool(), skipped, scan.files);

  for (const d of ['spliced', 'masks', 'authentic']) await mkdir(join(o.out, d), { recursive: true });
  const items: SpliceItem[] = [];
  for (let i = 0; i < o.count; i++) {
    const rng = Random.seeded(o.seed).fork('splice', i);
    let item: SpliceItem | null = null;
    for (let attempt = 0; attempt < ATTEMPTS && item === null; attempt++) {
      const photos = pool();
      if (cameraCount(photos) < 2) throw cameraError(photos, skipped, scan.files);
      const hostP = rng.pick(photos);
      const donors = photos.filter((p) => p.camera !== hostP.camera);
      const donorP = rng.pick(donors);
      const host = await load(hostP);
      const donor = host && (await load(donorP));
      if (!host || !donor) continue;
      const cw = Math.min(host.width, o.maxSize);
      const ch = Math.min(host.height, o.maxSize);
      const crop: Box = { x: GRID * rng.int(0, Math.floor((host.width - cw) / GRID)), y: GRID * rng.int(0, Math.floor((host.height - ch) / GRID)), width: cw, height: ch };
      const kind: RegionKind = o.shapes === 'mixed' ? rng.pick(['rect', 'polygon'] as const) : o.shapes;
      const region = drawRegion(rng, kind, { width: cw, height: ch, minFraction: o.minFraction, maxFraction: o.maxFraction, maxBoxWidth: donor.width, maxBoxHeight: donor.height });
      if (!region) continue; // donor too small for this host: draw another pair
      const origin = { x: rng.int(0, donor.width - region.bbox.width), y: rng.int(0, donor.height - region.bbox.height) };
      const hostCrop = cropRgb(host, crop);
      const spliced = pasteRegion(hostCrop, cw, donor, region, origin);
      const neg = o.negatives === 'other' ? await otherNegative(rng, photos, [hostP, donorP], cw, ch, load) : null;
      const id = String(i).padStart(5, '0');
      const files: SpliceItem['files'] = { spliced: `spliced/${id}.png`, mask: `masks/${id}.png`, authentic: `authentic/${id}.png` };
      await savePng(join(o.out, files.spliced), spliced, cw, ch, 3);
      await savePng(join(o.out, files.mask), maskToGrey(region), cw, ch, 1);
      await savePng(join(o.out, files.authentic), neg?.pixels ?? hostCrop, cw, ch, 3);
      if (o.jpegQuality !== undefined) {
        files.splicedJpeg = `spliced/${id}.jpg`;
        files.authenticJpeg = `authentic/${id}.jpg`;
        await saveJpeg(join(o.out, files.splicedJpeg), spliced, cw, ch, o.jpegQuality);
        await saveJpeg(join(o.out, files.authenticJpeg), neg?.pixels ?? hostCrop, cw, ch, o.jpegQuality);
      }
      item = {
        id,
        host: { ...ref(hostP), crop },
        donor: { ...ref(donorP), origin },
        authentic: neg ? { path: neg.photo.rel, crop: neg.crop } : { path: hostP.rel, crop },
        region: { kind: region.kind, bbox: region.bbox, points: region.points },
        areaFraction: Math.round((region.area / (cw * ch)) * 1e6) / 1e6,
        files,
      };
    }
    if (item === null) throw new Error(`splices: could not place splice ${i} after ${ATTEMPTS} tries (photos too small for a ${o.minFraction * 100}% region, or undecodable)`);
    items.push(item);
    o.onProgress?.(i + 1, o.count);
  }
  const { onProgress: _p, out: _o, jpegQuality, ...rest } = o;
  const manifest: SpliceManifest = {
    version: 1,
    options: { ...rest, jpegQuality: jpegQuality ?? null },
    sources: { files: scan.files, usable: alive.size, cameras: cameraCount(pool()), skipped: countReasons(skipped), skippedFiles: skipped },
    items,
  };
  await writeFile(join(o.out, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  return manifest;
}

/** A crop of the same size from a photo that is neither host nor donor (falls back to the host crop when none is large enough). */
async function otherNegative(
  rng: Random,
  photos: readonly CameraPhoto[],
  exclude: readonly CameraPhoto[],
  w: number,
  h: number,
  load: (p: CameraPhoto) => Promise<DecodedImage | null>,
): Promise<{ photo: CameraPhoto; crop: Box; pixels: Uint8Array } | null> {
  const fits = photos.filter((p) => !exclude.includes(p) && p.width >= w && p.height >= h);
  if (fits.length === 0) return null;
  const photo = rng.pick(fits);
  const img = await load(photo);
  if (!img) return null;
  const crop: Box = { x: GRID * rng.int(0, Math.floor((img.width - w) / GRID)), y: GRID * rng.int(0, Math.floor((img.height - h) / GRID)), width: w, height: h };
  return { photo, crop, pixels: cropRgb(img, crop) };
}

async function savePng(path: string, px: Uint8Array, width: number, height: number, channels: 1 | 3): Promise<void> {
  const img = sharp(px, { raw: { width, height, channels } });
  // sharp widens single-channel raw input to RGB on output unless told it is greyscale.
  await (channels === 1 ? img.toColourspace('b-w') : img).png({ compressionLevel: 6 }).toFile(path);
}

async function saveJpeg(path: string, px: Uint8Array, width: number, height: number, quality: number): Promise<void> {
  await sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality, chromaSubsampling: '4:2:0' }).toFile(path);
}
