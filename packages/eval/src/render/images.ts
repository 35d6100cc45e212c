/**
 * The localization pictures: heat map (bare or over the photo), mask, PCA picture, and the
 * previews the report shows. Pixels go straight from typed arrays to sharp (no per-pixel
 * objects); each file is encoded to memory and written atomically, parent folders created.
 */
import { mkdirSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '@exif-lang/data';
import { writeFileAtomic } from '@exif-lang/models';
import { colormap } from './colormap.ts';
import { robustRange } from './range.ts';
import { heatmapOverlay, maskPixels, type OverlayOptions } from './overlay.ts';

function checkSize(what: string, width: number, height: number, length: number, channels: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${what}: bad size ${width}x${height}`);
  }
  if (length !== width * height * channels) {
    throw new Error(`${what}: ${length} values for a ${width}x${height} picture (${channels} per pixel expected)`);
  }
}

async function save(path: string, img: sharp.Sharp): Promise<void> {
  const buf = await img.toBuffer();
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, [buf]);
}

function rawPng(px: Uint8Array, width: number, height: number, channels: 1 | 3): sharp.Sharp {
  const img = sharp(px, { raw: { width, height, channels }, limitInputPixels: false });
  // sharp widens single-channel raw input to RGB on output unless told it is greyscale.
  return (channels === 1 ? img.toColourspace('b-w') : img).png({ compressionLevel: 6 });
}

/** the bare colour map (coolwarm) of a width x height heat map, range default robustRange(heat) */
export async function writeHeatmapPng(path: string, width: number, height: number, heat: Float32Array, range?: [number, number]): Promise<void> {
  checkSize('writeHeatmapPng', width, height, heat.length, 1);
  const [lo, hi] = range ?? robustRange(heat);
  await save(path, rawPng(colormap(heat, lo, hi), width, height, 3));
}

/** The heat map blended over the photo (heatmapOverlay: coolwarm, alpha default 0.55), as PNG at the image's size. */
export async function writeHeatmapOverlay(path: string, image: RgbImage, heat: Float32Array, opts: OverlayOptions = {}): Promise<void> {
  const { width, height, data } = image;
  checkSize('writeHeatmapOverlay (image)', width, height, data.length, 3);
  checkSize('writeHeatmapOverlay (heat map)', width, height, heat.length, 1);
  await save(path, rawPng(heatmapOverlay(image, heat, opts), width, height, 3));
}

/** the binary mask as a 1-channel PNG: nonzero (spliced) -> white 255, 0 -> black */
export async function writeMaskPng(path: string, width: number, height: number, mask: Uint8Array): Promise<void> {
  checkSize('writeMaskPng', width, height, mask.length, 1);
  await save(path, rawPng(maskPixels(mask), width, height, 1));
}

/** RGB bytes (the PCA picture) as PNG */
export async function writeRgbPng(path: string, width: number, height: number, rgb: Uint8Array): Promise<void> {
  checkSize('writeRgbPng', width, height, rgb.length, 3);
  await save(path, rawPng(rgb, width, height, 3));
}

/**
 * A preview for the report: the image shrunk to fit maxSide x maxSide (never enlarged), as JPEG
 * (.jpg/.jpeg, quality 85) or PNG (.png) by the path's extension.
 */
export async function writeThumbnail(path: string, image: RgbImage, maxSide: number): Promise<void> {
  const { width, height, data } = image;
  checkSize('writeThumbnail', width, height, data.length, 3);
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new Error(`writeThumbnail: bad maxSide ${maxSide}`);
  const ext = extname(path).toLowerCase();
  if (ext !== '.jpg' && ext !== '.jpeg' && ext !== '.png') throw new Error(`writeThumbnail: ${path}: want a .jpg, .jpeg or .png path`);
  const img = sharp(data, { raw: { width, height, channels: 3 }, limitInputPixels: false })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
  await save(path, ext === '.png' ? img.png({ compressionLevel: 6 }) : img.jpeg({ quality: 85 }));
}
