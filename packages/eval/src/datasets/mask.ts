/**
 * Ground-truth masks at the image's size, 1 = spliced.
 *
 * Decoding: sharp, raw bytes, no colour management (an embedded ICC profile is kept, not
 * applied), alpha dropped, palette and grey expanded to RGB, 16-bit samples reduced to 8 bits
 * (the high byte, as OpenCV's IMREAD_GRAYSCALE does). Strict: a mask the decoder warns about
 * (truncated, corrupt) is an error, since a damaged ground truth would score silently wrong.
 *
 * Rules (what the official loaders do, OpenCV's grey = (4899 R + 9617 G + 1868 B + 8192) >> 14):
 * - columbia: the edge mask is a colour JPEG; a pixel is spliced when it lies within
 *   `greenTolerance` (default 40) of (0,255,0) or (0,200,0) in every channel, i.e. R <= 40,
 *   B <= 40 and G >= 160. The official loader matches the two greens exactly, which on a JPEG
 *   misses the pixels its compression noise moved by even one level; 40 keeps away from red
 *   (255,0,0), black and white and from the mixed colours at red/green borders (R or G near 128).
 * - dso1: inverted: spliced where grey <= `threshold` (default 0: black), as the official
 *   loader's "> 0 is authentic".
 * - every other dataset: spliced where grey > `threshold` (default 0), as the official loaders'
 *   `map[map > 0] = 1`. For JPEG masks (some Hays ones) a threshold of 127 ignores the
 *   compression ringing around the region, at the price of departing from the official numbers.
 *
 * A mask not at the image's size is resized to it with nearest neighbour (pixel centres), for
 * every dataset: DSO-1 and CASIA ship such masks (the official DSO-1 loader resizes bilinearly
 * and then thresholds, which differs from this along the border only).
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { DatasetListing, DatasetName, SpliceSample } from './types.ts';

export const COLUMBIA_GREEN_TOLERANCE = 40;

export type MaskRule = { kind: 'grey'; inverted: boolean } | { kind: 'green' };

export function maskRule(dataset: DatasetName): MaskRule {
  if (dataset === 'columbia') return { kind: 'green' };
  return { kind: 'grey', inverted: dataset === 'dso1' };
}

export interface LoadMaskOptions {
  /** grey level above which a pixel is spliced (at or below, for DSO-1's inverted masks); default 0 */
  threshold?: number;
  /** Columbia: per-channel distance to (0,255,0) / (0,200,0) still counted as green; default 40, 0 = the official exact match */
  greenTolerance?: number;
}

/** Decoded mask pixels: RGB (3 channels) or grey (1). */
export interface MaskPixels {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/** Reads a mask file to raw pixels; throws an Error naming the file and the reason. */
export async function readMaskPixels(path: string): Promise<MaskPixels> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read mask '${path}': ${(e as Error).message}`);
  }
  if (bytes.length === 0) throw new Error(`cannot decode mask '${path}': the file is empty`);
  try {
    const img = sharp(bytes, { failOn: 'warning' });
    const meta = await img.metadata();
    let pipe = img.removeAlpha();
    pipe = meta.space === 'cmyk' ? pipe.toColourspace('srgb') : pipe.keepIccProfile();
    const { data, info } = await pipe.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 && info.channels !== 3) throw new Error(`unexpected channel count ${info.channels}`);
    return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    throw new Error(`cannot decode mask '${path}': ${String((e as Error).message ?? e).split('\n')[0]}`);
  }
}

function level(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 0 || x > 255) throw new Error(`loadMask: ${name} must be an integer in 0..255, got ${v}`);
  return x;
}

/** Applies a dataset's rule: 1 = spliced, at the mask's own size. */
export function binarizeMask(px: MaskPixels, rule: MaskRule, opts: LoadMaskOptions = {}): Uint8Array {
  const n = px.width * px.height;
  const out = new Uint8Array(n);
  const d = px.data;
  const c = px.channels;
  if (rule.kind === 'green') {
    const tol = level('greenTolerance', opts.greenTolerance, COLUMBIA_GREEN_TOLERANCE);
    for (let i = 0; i < n; i++) {
      const r = d[c * i];
      const g = d[c * i + (c === 3 ? 1 : 0)];
      const b = d[c * i + (c === 3 ? 2 : 0)];
      out[i] = r <= tol && b <= tol && (Math.abs(g - 255) <= tol || Math.abs(g - 200) <= tol) ? 1 : 0;
    }
    return out;
  }
  const t = level('threshold', opts.threshold, 0);
  for (let i = 0; i < n; i++) {
    const grey = c === 1 ? d[i] : (4899 * d[3 * i] + 9617 * d[3 * i + 1] + 1868 * d[3 * i + 2] + 8192) >> 14;
    out[i] = (rule.inverted ? grey <= t : grey > t) ? 1 : 0;
  }
  return out;
}

/** Nearest-neighbour resize of a one-byte-per-pixel map (source pixel under each target pixel's centre). */
export function resizeMaskNearest(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  if (sw === dw && sh === dh) return src;
  const out = new Uint8Array(dw * dh);
  const xs = new Int32Array(dw);
  for (let x = 0; x < dw; x++) xs[x] = Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / dw));
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / dh));
    const row = sy * sw;
    for (let x = 0; x < dw; x++) out[y * dw + x] = src[row + xs[x]];
  }
  return out;
}

/**
 * The ground truth of a sample at the image's size (width * height, row-major), 1 = spliced;
 * all zeros for an authentic one. Throws an Error naming the file and the reason when the mask
 * is unreadable.
 */
export async function loadMask(listing: DatasetListing, sample: SpliceSample, width: number, height: number, opts: LoadMaskOptions = {}): Promise<Uint8Array> {
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new Error(`loadMask: image size must be positive integers, got ${width}x${height} for ${sample.name}`);
  }
  if (!sample.spliced) return new Uint8Array(width * height);
  if (sample.mask === null) throw new Error(`${listing.dataset}: spliced sample '${sample.name}' has no mask`);
  let px: MaskPixels;
  try {
    px = await readMaskPixels(sample.mask);
  } catch (e) {
    throw new Error(`${listing.dataset}: ${(e as Error).message} (sample ${sample.name})`);
  }
  const bin = binarizeMask(px, maskRule(listing.dataset), opts);
  return resizeMaskNearest(bin, px.width, px.height, width, height);
}
