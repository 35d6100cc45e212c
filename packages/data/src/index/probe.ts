/**
 * Examines one sample for the index: reads its bytes, EXIF and image size, and decides whether
 * training can use it. Every way a file can be unusable is a named reason.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { exifFromJson } from '../exif/img2dataset.ts';
import { readExif, type ExifFailureReason, type ExifValue } from '../exif/read.ts';
import { decodeImage, type DecodeFailureReason } from '../image/decode.ts';
import type { Sample } from '../sources/sample.ts';
import { TimeoutError, withTimeout } from '../util/timeout.ts';

export type SkipReason =
  | DecodeFailureReason
  | Exclude<ExifFailureReason, 'read-error' | 'empty-file'>
  | 'smaller-than-patch'
  | 'shard-corrupt'
  | 'timeout';

export interface IndexEntry {
  id: string;
  source: Sample['source'];
  path: string;
  member?: string;
  /** Encoded file size in bytes. */
  bytes: number;
  width: number;
  height: number;
  /** Where the EXIF came from: the image bytes, or JSON shipped beside it. */
  exifFrom: 'image' | 'json';
  exif: Record<string, ExifValue>;
  /** EXIF as text with the index's vocabulary (filled in by the second pass). */
  text: string;
  fields?: Record<string, unknown>;
}

export interface SkippedEntry {
  id: string;
  path: string;
  member?: string;
  reason: SkipReason;
  detail: string;
}

export type ProbeResult = { ok: true; entry: IndexEntry } | { ok: false; skipped: SkippedEntry };

export interface ProbeOptions {
  /** Smallest usable side in pixels: the patch size (default 124, the paper's). */
  minSize?: number;
  /** 'full' decodes every image (catches damaged pixel data); 'header' only reads its size. */
  check?: 'full' | 'header';
  /** Accept partially decodable images (see image/decode.ts). */
  allowPartial?: boolean;
  /** 'auto': EXIF from the image, else from JSON beside it; or only one of them. */
  exifFrom?: 'auto' | 'image' | 'json';
  /** Per-file limit for reading + decoding (default 30 s). */
  timeoutMs?: number;
}

export const DEFAULT_PATCH_SIZE = 124;

async function imageSize(bytes: Uint8Array, options: ProbeOptions): Promise<{ width: number; height: number } | { reason: DecodeFailureReason; detail: string }> {
  if (options.check === 'header') {
    try {
      const m = await sharp(bytes, { failOn: options.allowPartial ? 'none' : 'warning' }).metadata();
      if (m.width && m.height) return { width: m.width, height: m.height };
      return { reason: 'corrupt-image', detail: 'no size in header' };
    } catch (e) {
      const detail = String((e as Error).message).split('\n')[0];
      return { reason: /unsupported image format/i.test(detail) ? 'unsupported-format' : 'corrupt-image', detail };
    }
  }
  const d = await decodeImage(bytes, { allowPartial: options.allowPartial });
  return d.ok ? { width: d.image.width, height: d.image.height } : { reason: d.reason, detail: d.detail };
}

async function probeUnbounded(sample: Sample, options: ProbeOptions): Promise<ProbeResult> {
  const skip = (reason: SkipReason, detail: string): ProbeResult => ({
    ok: false, skipped: { id: sample.id, path: sample.path, member: sample.member, reason, detail },
  });
  if (sample.error !== undefined) return skip('shard-corrupt', sample.error);
  let bytes: Uint8Array;
  try {
    bytes = sample.bytes ?? (await readFile(sample.path));
  } catch (e) {
    return skip('read-error', (e as Error).message);
  }
  if (bytes.length === 0) return skip('empty-file', 'file has 0 bytes');
  const size = await imageSize(bytes, options);
  if ('reason' in size) return skip(size.reason, size.detail);
  const min = options.minSize ?? DEFAULT_PATCH_SIZE;
  if (size.width < min || size.height < min) return skip('smaller-than-patch', `${size.width}x${size.height} < ${min}x${min}`);

  const from = options.exifFrom ?? 'auto';
  let exif: Record<string, ExifValue> | undefined;
  let exifFrom: IndexEntry['exifFrom'] = 'image';
  let failure: { reason: SkipReason; detail: string } = { reason: 'no-exif', detail: 'no EXIF in the image or beside it' };
  if (from !== 'json') {
    const r = await readExif(bytes);
    if (r.ok) exif = r.record.tags;
    else if (r.reason !== 'read-error' && r.reason !== 'empty-file') failure = { reason: r.reason, detail: r.detail };
  }
  if (!exif && from !== 'image' && sample.exifJson) {
    const tags = exifFromJson(sample.exifJson).tags;
    if (Object.keys(tags).length > 0) {
      exif = tags;
      exifFrom = 'json';
    }
  }
  if (!exif) return skip(failure.reason, failure.detail);
  return {
    ok: true,
    entry: {
      id: sample.id, source: sample.source, path: sample.path, member: sample.member, bytes: bytes.length,
      width: size.width, height: size.height, exifFrom, exif, text: '', fields: sample.fields,
    },
  };
}

/** Never throws: failures, including timeouts and unexpected errors, come back as skips. */
export async function probeSample(sample: Sample, options: ProbeOptions = {}): Promise<ProbeResult> {
  try {
    return await withTimeout(probeUnbounded(sample, options), options.timeoutMs ?? 30_000, `indexing ${sample.id}`);
  } catch (e) {
    const reason: SkipReason = e instanceof TimeoutError ? 'timeout' : 'corrupt-image';
    return { ok: false, skipped: { id: sample.id, path: sample.path, member: sample.member, reason, detail: (e as Error).message } };
  }
}
