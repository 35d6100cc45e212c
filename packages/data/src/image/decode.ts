/**
 * Image decoding with sharp to the exact decoded RGB bytes at native resolution.
 *
 * - No resizing and no colour management: sharp converts images with an embedded ICC profile to
 *   sRGB by default, which changes every pixel value (checked on the sample photos with Adobe RGB
 *   and vendor profiles). `keepIccProfile()` keeps the decoder's output untouched, so that is
 *   what we use. The only conversions are structural: alpha is dropped, greyscale is replicated
 *   to three channels, 16-bit samples are reduced to 8 bits, and CMYK (rare in photos, no camera
 *   writes it) goes through sharp's CMYK -> sRGB transform because there is no RGB without it.
 * - EXIF orientation is ignored: pixels stay in sensor order, never rotated. The paper feeds
 *   native pixels; rotation does not change the traces we learn (noise, demosaicing, JPEG grid),
 *   but it would move the 8x8 JPEG grid and the CFA phase relative to the crop origin for rotated
 *   photos only, and it would make patch coordinates disagree with the stored file (and with
 *   splice masks made from it). Viewers show such photos rotated; the model never needs to.
 * - Partial decodes: libjpeg reports damaged entropy data ("Corrupt JPEG data: premature end of
 *   data segment", "extraneous bytes before marker") as warnings and fills what it could not
 *   decode with grey. Those pixels are not camera output, so by default (sharp `failOn:
 *   'warning'`) such a file is rejected as `corrupt-image`/`truncated-image`. `allowPartial`
 *   accepts them (sharp `failOn: 'none'`) and marks the result `partial: true`.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';

export interface DecodedImage {
  width: number;
  height: number;
  /** Interleaved RGB, row-major, width * height * 3 bytes. */
  data: Uint8Array;
  /** True when the decoder reported damage and allowPartial let it through. */
  partial: boolean;
}

export type DecodeFailureReason =
  | 'read-error'
  | 'empty-file'
  | 'unsupported-format' // not an image sharp knows
  | 'truncated-image' // the data ends before the image does
  | 'corrupt-image' // malformed header or entropy data
  | 'too-large'; // more pixels than sharp's limitInputPixels

export type DecodeResult =
  | { ok: true; image: DecodedImage }
  | { ok: false; reason: DecodeFailureReason; detail: string };

export interface DecodeOptions {
  /** Accept images the decoder could only partly read (default false). */
  allowPartial?: boolean;
}

/** Container signatures sharp can decode (JPEG, PNG, GIF, TIFF, WebP, HEIF/AVIF). */
function knownSignature(b: Uint8Array): 'jpeg' | 'png' | 'other' | undefined {
  const at = (i: number, ...xs: number[]) => xs.every((x, k) => b[i + k] === x);
  if (at(0, 0xff, 0xd8)) return 'jpeg'; // SOI; what follows may be damaged
  if (at(0, 0x89, 0x50, 0x4e, 0x47)) return 'png';
  if (at(0, 0x47, 0x49, 0x46, 0x38) || at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'other';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'other';
  if (at(4, 0x66, 0x74, 0x79, 0x70)) return 'other'; // ISO-BMFF 'ftyp': HEIC, AVIF
  return undefined;
}

/** True when a JPEG/PNG stops before its end marker (EOI / IEND), trailing padding allowed. */
function endsEarly(b: Uint8Array, kind: 'jpeg' | 'png' | 'other'): boolean {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x00 || b[end - 1] === 0x0a || b[end - 1] === 0x0d || b[end - 1] === 0x20)) end--;
  if (kind === 'jpeg') return !(b[end - 2] === 0xff && b[end - 1] === 0xd9);
  if (kind === 'png') return !Buffer.from(b.subarray(Math.max(0, end - 12), end)).includes('IEND');
  return false;
}

/**
 * The reason comes from the file's bytes, not from the decoder's message: libvips keeps one
 * process-wide error buffer, so with several decodes in flight (index concurrency, worker
 * threads) a failure can carry another file's message. The message is kept as the detail.
 */
async function classify(bytes: Buffer): Promise<DecodeFailureReason> {
  const kind = knownSignature(bytes);
  if (!kind) return 'unsupported-format';
  const m = await sharp(bytes, { limitInputPixels: false, failOn: 'none' }).metadata().catch(() => undefined);
  if (m?.width && m.height && m.width * m.height > SHARP_PIXEL_LIMIT) return 'too-large';
  if (endsEarly(bytes, kind)) return 'truncated-image';
  return 'corrupt-image';
}

/** sharp's default limitInputPixels (0x3FFF x 0x3FFF). */
const SHARP_PIXEL_LIMIT = 0x3fff * 0x3fff;

async function decodeWith(bytes: Buffer, failOn: 'warning' | 'none'): Promise<Omit<DecodedImage, 'partial'>> {
  const img = sharp(bytes, { failOn });
  const meta = await img.metadata();
  let pipe = img.removeAlpha();
  pipe = meta.space === 'cmyk' ? pipe.toColourspace('srgb') : pipe.keepIccProfile();
  const { data, info } = await pipe.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const n = width * height;
  if (channels === 3) return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  if (channels === 1) {
    const rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = data[i];
    return { width, height, data: rgb };
  }
  throw new Error(`unexpected channel count ${channels} after decoding (${meta.space})`);
}

/** Decodes a file path or encoded bytes to RGB. Never throws. */
export async function decodeImage(input: string | Uint8Array, options: DecodeOptions = {}): Promise<DecodeResult> {
  let bytes: Buffer;
  try {
    bytes = typeof input === 'string' ? await readFile(input) : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  } catch (e) {
    return { ok: false, reason: 'read-error', detail: (e as Error).message };
  }
  if (bytes.length === 0) return { ok: false, reason: 'empty-file', detail: 'file has 0 bytes' };
  try {
    return { ok: true, image: { ...(await decodeWith(bytes, 'warning')), partial: false } };
  } catch (e) {
    const detail = String((e as Error).message ?? e).split('\n')[0];
    const reason = await classify(bytes);
    if (options.allowPartial && (reason === 'truncated-image' || reason === 'corrupt-image')) {
      try {
        return { ok: true, image: { ...(await decodeWith(bytes, 'none')), partial: true } };
      } catch {
        // fall through: not even a partial image
      }
    }
    return { ok: false, reason, detail };
  }
}
