/**
 * EXIF that arrives as JSON instead of inside the image: img2dataset's `exif` field (exifread's
 * printable tags, keyed "Image Make", "EXIF ExposureTime", values like "1/250", "[18, 55, 7/2,
 * 28/5]") or a record of exifr/exiftool keys (our own index format). Numbers and fractions become
 * numbers, so the printers give exiftool's wording; enumerated tags that exifread already turned
 * into words (Flash: "Flash did not fire") keep exifread's words.
 */
import { normalizeExif, type ExifRecord } from './read.ts';

/** exifread (EXIF-spec) names that exifr/exiftool call differently. */
const RENAME: Record<string, string> = {
  ISOSpeedRatings: 'ISO',
  ExposureBiasValue: 'ExposureCompensation',
  ExifImageLength: 'ExifImageHeight',
  FocalLengthIn35mmFilm: 'FocalLengthIn35mmFormat',
  LensSpecification: 'LensInfo',
  FlashPixVersion: 'FlashpixVersion',
  DateTimeDigitized: 'CreateDate',
  DateTime: 'ModifyDate',
  PhotographicSensitivity: 'ISO',
};

/** Groups describing the photo; Thumbnail, MakerNote, GPS and Interoperability are left out. */
const GROUPS = new Set(['Image', 'EXIF']);

function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return Number(t);
  const m = /^(-?\d+)\/(-?\d+)$/.exec(t);
  if (m && Number(m[2]) !== 0) return Number(m[1]) / Number(m[2]);
  return undefined;
}

function parseValue(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const list = /^\[(.*)\]$/.exec(v.trim());
  if (list) {
    const parts = list[1].split(',').map(parseNumber);
    return parts.every((p): p is number => p !== undefined) ? parts : undefined;
  }
  return parseNumber(v) ?? v;
}

export function isExifreadJson(json: Record<string, unknown>): boolean {
  return Object.keys(json).some((k) => /^(Image|EXIF|GPS|Thumbnail|MakerNote|Interoperability) \S/.test(k));
}

/** A record from img2dataset's / exifread's JSON, or from a JSON object of exifr keys. */
export function exifFromJson(json: Record<string, unknown>): ExifRecord {
  if (!isExifreadJson(json)) return normalizeExif(Object.fromEntries(Object.entries(json).map(([k, v]) => [k, parseValue(v)])));
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    const space = k.indexOf(' ');
    if (space < 0 || !GROUPS.has(k.slice(0, space))) continue;
    const name = k.slice(space + 1);
    raw[RENAME[name] ?? name] = parseValue(v);
  }
  return normalizeExif(raw);
}
