/**
 * The heat map over the photo and the mask as plain pixels: what `exiflang localize` writes as
 * heatmap.png / mask.png, and what the web page paints, computed by the same code.
 */
import type { RgbImage } from '@exif-lang/data';
import { colormap } from './colormap.ts';
import { robustRange } from './range.ts';

export interface OverlayOptions {
  /** weight of the colour map, default 0.55 */
  alpha?: number;
  /** colour-map range, default robustRange(heat) */
  range?: [number, number];
}

/**
 * RGB bytes: the heat map colour-mapped (coolwarm over `range`) and blended over the photo,
 * out = round((1 - alpha) * photo + alpha * colour) per channel.
 */
export function heatmapOverlay(image: RgbImage, heat: Float32Array, opts: OverlayOptions = {}): Uint8Array {
  const { width, height, data } = image;
  if (data.length !== width * height * 3) throw new Error(`heatmapOverlay: ${data.length} bytes for a ${width}x${height} RGB image`);
  if (heat.length !== width * height) throw new Error(`heatmapOverlay: ${heat.length} heat values for a ${width}x${height} image`);
  const alpha = opts.alpha ?? 0.55;
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`heatmapOverlay: alpha must be in [0, 1], got ${alpha}`);
  const [lo, hi] = opts.range ?? robustRange(heat);
  const px = colormap(heat, lo, hi); // blended in place: one extra RGB buffer in all
  const keep = 1 - alpha;
  for (let i = 0; i < px.length; i++) px[i] = Math.round(keep * data[i]! + alpha * px[i]!);
  return px;
}

/** One grey byte per pixel: nonzero (spliced) -> white 255, 0 -> black. */
export function maskPixels(mask: Uint8Array): Uint8Array {
  const px = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) px[i] = mask[i] ? 255 : 0;
  return px;
}
