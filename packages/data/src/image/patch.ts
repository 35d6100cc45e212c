/**
 * Native-resolution crops and CLIP normalization into the kernels' layout: a batch of patches is
 * one Float32Array in NHWC, [B, S, S, 3], row-major, channel fastest.
 */
import type { Rng } from '../util/rng.ts';
import { randInt } from '../util/rng.ts';

/** CLIP's per-channel mean and std (RGB, on [0, 1] values), as the paper uses. */
export const CLIP_MEAN: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

export interface RgbImage {
  width: number;
  height: number;
  /** Interleaved RGB bytes, width * height * 3. */
  data: Uint8Array;
}

export interface Crop {
  x: number;
  y: number;
  size: number;
}

/**
 * A uniformly placed size x size crop, or undefined when the image is smaller than that. With
 * `align` > 1 its corner sits on multiples of align (8: on a JPEG's block grid, so every
 * training patch shows its blocks at one phase, as the patches of an uncropped photo do).
 */
export function randomCrop(width: number, height: number, size: number, rng: Rng, align = 1): Crop | undefined {
  if (width < size || height < size) return undefined;
  // align 1: randInt(rng, width - size + 1), the unaligned draw
  return { x: align * randInt(rng, Math.floor((width - size) / align) + 1), y: align * randInt(rng, Math.floor((height - size) / align) + 1), size };
}

/** byte -> normalized value, one table per channel (the per-pixel work is then a lookup). */
const LUT = (() => {
  const t = new Float32Array(256 * 3);
  for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) t[c * 256 + v] = (v / 255 - CLIP_MEAN[c]) / CLIP_STD[c];
  return t;
})();

/** Writes the crop, normalized, at `out[offset ...]` (size * size * 3 floats, HWC). */
export function writeNormalizedPatch(img: RgbImage, crop: Crop, out: Float32Array, offset = 0): void {
  const { x, y, size } = crop;
  if (x < 0 || y < 0 || x + size > img.width || y + size > img.height) {
    throw new RangeError(`crop ${size}@(${x},${y}) outside ${img.width}x${img.height}`);
  }
  let o = offset;
  for (let r = 0; r < size; r++) {
    let i = ((y + r) * img.width + x) * 3;
    const end = i + size * 3;
    while (i < end) {
      out[o++] = LUT[img.data[i++]];
      out[o++] = LUT[256 + img.data[i++]];
      out[o++] = LUT[512 + img.data[i++]];
    }
  }
}

/** The crop's raw bytes (size * size * 3), the compact form workers send back. */
export function cropBytes(img: RgbImage, crop: Crop): Uint8Array {
  const { x, y, size } = crop;
  const out = new Uint8Array(size * size * 3);
  for (let r = 0; r < size; r++) {
    const start = ((y + r) * img.width + x) * 3;
    out.set(img.data.subarray(start, start + size * 3), r * size * 3);
  }
  return out;
}

/** Normalizes packed crop bytes (HWC) into `out` at `offset`. */
export function normalizeBytes(bytes: Uint8Array, out: Float32Array, offset = 0): void {
  for (let i = 0; i < bytes.length; i += 3) {
    out[offset + i] = LUT[bytes[i]];
    out[offset + i + 1] = LUT[256 + bytes[i + 1]];
    out[offset + i + 2] = LUT[512 + bytes[i + 2]];
  }
}
