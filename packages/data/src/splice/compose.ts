/**
 * Pixel work of a splice: cropping the host and pasting donor pixels under the mask, as
 * integer offsets on 8-bit RGB (no resampling, no blending), so every spliced pixel is a
 * donor pixel byte for byte and every other pixel a host pixel.
 */
import type { DecodedImage } from '../image/decode.ts';
import type { Box, Region } from './region.ts';

/** Copies a box out of an interleaved RGB image. */
export function cropRgb(img: DecodedImage, box: Box): Uint8Array {
  const out = new Uint8Array(box.width * box.height * 3);
  for (let y = 0; y < box.height; y++) {
    const src = ((box.y + y) * img.width + box.x) * 3;
    out.set(img.data.subarray(src, src + box.width * 3), y * box.width * 3);
  }
  return out;
}

/**
 * The host crop with donor pixels under the region's mask. `donorOrigin` is the donor pixel
 * that lands on the region bbox's top-left corner.
 */
export function pasteRegion(host: Uint8Array, width: number, donor: DecodedImage, region: Region, donorOrigin: { x: number; y: number }): Uint8Array {
  const { bbox, mask } = region;
  if (donorOrigin.x < 0 || donorOrigin.y < 0 || donorOrigin.x + bbox.width > donor.width || donorOrigin.y + bbox.height > donor.height) {
    throw new Error(`pasteRegion: region ${bbox.width}x${bbox.height} at donor (${donorOrigin.x}, ${donorOrigin.y}) leaves the ${donor.width}x${donor.height} donor`);
  }
  const out = Uint8Array.from(host);
  for (let y = bbox.y; y < bbox.y + bbox.height; y++) {
    const dy = donorOrigin.y + y - bbox.y;
    for (let x = bbox.x; x < bbox.x + bbox.width; x++) {
      if (mask[y * width + x] === 0) continue;
      const d = (dy * donor.width + donorOrigin.x + x - bbox.x) * 3;
      const h = (y * width + x) * 3;
      out[h] = donor.data[d];
      out[h + 1] = donor.data[d + 1];
      out[h + 2] = donor.data[d + 2];
    }
  }
  return out;
}

/** The mask as 8-bit grey: 255 = spliced, 0 = host. */
export function maskToGrey(region: Region): Uint8Array {
  const out = new Uint8Array(region.mask.length);
  for (let i = 0; i < out.length; i++) out[i] = region.mask[i] ? 255 : 0;
  return out;
}
