/**
 * EXIF reading with exifr into a normalized record.
 *
 * We always hand exifr the whole file as a buffer: `exifr.parse(path)` reads files in chunks and
 * returned nothing for 3 of the 131 sample photos, while `parse(buffer)` read all of them.
 *
 * The record keeps exifr's tag names (they are exiftool's: ExposureTime, FNumber, ISO,
 * ExposureCompensation, ...) and the values as stored (no translation, no date revival): the text
 * builder turns them into readable strings, and the raw numbers stay available for the "raw
 * values" ablation and for probes. Sensitive tags (GPS, serials, names, maker notes) are dropped
 * here, see sensitive.ts.
 */
import { readFile } from 'node:fs/promises';
import exifr from 'exifr';
import { isSensitiveTag } from './sensitive.ts';

/** A stored EXIF value: text, a number (rationals already divided), or a short list of numbers. */
export type ExifValue = string | number | number[];

export interface ExifRecord {
  /** exifr/exiftool tag name -> stored value. */
  tags: Record<string, ExifValue>;
}

export type ExifFailureReason =
  | 'read-error' // the file could not be read (missing, permissions)
  | 'empty-file' // zero bytes
  | 'unsupported-format' // exifr does not know the container (not an image, or a format it cannot read)
  | 'no-exif' // a known container with no EXIF (or none of the tags we keep)
  | 'exif-truncated' // the EXIF segment ends before the data its offsets point to
  | 'exif-corrupt'; // exifr failed inside the EXIF segment (malformed TIFF structure)

export type ExifResult =
  | { ok: true; record: ExifRecord }
  | { ok: false; reason: ExifFailureReason; detail: string };

/** Undefined-type byte strings longer than this are blobs (thumbnails, vendor data), not values. */
const MAX_BYTE_VALUE = 16;

const PARSE_OPTIONS = {
  tiff: true,
  ifd0: {},
  exif: {},
  gps: false,
  interop: false,
  ifd1: false, // thumbnail IFD: describes the thumbnail, not the photo
  makerNote: false,
  userComment: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  translateKeys: true,
  translateValues: false,
  reviveValues: false,
  sanitize: true,
  mergeOutput: true,
  silentErrors: false,
} as const;

/** exifr's typings omit silentErrors, hence a separate constant rather than an inline spread. */
const PARSE_OPTIONS_SILENT = { ...PARSE_OPTIONS, silentErrors: true } as const;

/** Names for numeric keys exifr left untranslated (an EXIF tag stored in IFD0, say). */
function tagName(key: string): string | undefined {
  if (!/^\d+$/.test(key)) return key;
  const id = Number(key);
  for (const segment of ['exif', 'ifd0']) {
    const name = exifr.tagKeys.get(segment)?.get(id);
    if (name) return name;
  }
  return undefined;
}

function normalizeValue(v: unknown): ExifValue | undefined {
  if (typeof v === 'string') {
    // ASCII fields end at the first NUL (exiftool does the same); some writers leave garbage
    // after it, others pad with NULs or spaces.
    const nul = v.indexOf('\0');
    const s = (nul >= 0 ? v.slice(0, nul) : v).trim();
    return s.length > 0 ? s : undefined;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (v instanceof Uint8Array || Array.isArray(v)) {
    if (v.length === 0 || v.length > MAX_BYTE_VALUE) return undefined;
    const out: number[] = [];
    for (const x of v) {
      if (typeof x !== 'number' || !Number.isFinite(x)) return undefined;
      out.push(x);
    }
    return out;
  }
  return undefined; // objects, dates, booleans: nothing exifr gives for the tags we use
}

/** Turns exifr's merged output into a record; exported for the WebDataset `exif` field path. */
export function normalizeExif(raw: Record<string, unknown>): ExifRecord {
  const tags: Record<string, ExifValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = tagName(key);
    if (name === undefined || isSensitiveTag(name) || name in tags) continue;
    const v = normalizeValue(value);
    if (v !== undefined) tags[name] = v;
  }
  return { tags };
}

function failure(reason: ExifFailureReason, detail: string): ExifResult {
  return { ok: false, reason, detail };
}

/** Reads EXIF from a file path or the file's bytes. Never throws. */
export async function readExif(input: string | Uint8Array): Promise<ExifResult> {
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    try {
      bytes = await readFile(input);
    } catch (e) {
      return failure('read-error', (e as Error).message);
    }
  } else {
    bytes = input;
  }
  if (bytes.length === 0) return failure('empty-file', 'file has 0 bytes');
  let raw: unknown;
  // exifr wants a Node Buffer (or ArrayBuffer) to pick its memory reader.
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    raw = await exifr.parse(buf, PARSE_OPTIONS);
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    if (/unknown file format/i.test(msg)) return failure('unsupported-format', msg);
    // One damaged block (a bad GPS IFD, say) should not cost the camera tags of the others:
    // exifr's silentErrors mode skips the broken block and returns what it could read.
    const partial = await exifr.parse(buf, PARSE_OPTIONS_SILENT).catch(() => undefined);
    if (partial && typeof partial === 'object' && Object.keys(normalizeExif(partial as Record<string, unknown>).tags).length > 0) {
      raw = partial;
    } else if (/unreachable|outside (the bounds|of chunk)|out of range|beyond/i.test(msg)) {
      return failure('exif-truncated', msg);
    } else {
      return failure('exif-corrupt', msg);
    }
  }
  if (raw === undefined || raw === null || typeof raw !== 'object') return failure('no-exif', 'no EXIF segment');
  const record = normalizeExif(raw as Record<string, unknown>);
  if (Object.keys(record.tags).length === 0) return failure('no-exif', 'EXIF segment holds no usable tags');
  return { ok: true, record };
}
