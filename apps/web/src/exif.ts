/**
 * The EXIF a photo carries, as rows for the page (exifr, in the browser, from the bytes in
 * memory). Values are shown as exifr gives them; binary blobs (maker notes, thumbnails) only by
 * their length.
 */
import exifr from 'exifr';

export type ExifRow = [tag: string, value: string];

function show(v: unknown): string {
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace(/\.000Z$/, '');
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) return `<${v.byteLength} bytes>`;
  if (Array.isArray(v)) return v.length > 16 ? `[${v.length} values]` : v.map(show).join(', ');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

export async function readExifRows(bytes: Uint8Array): Promise<ExifRow[]> {
  let tags: Record<string, unknown> | undefined;
  try {
    tags = (await exifr.parse(bytes, { tiff: true, exif: true, gps: true, interop: false, makerNote: false, userComment: false })) as Record<string, unknown> | undefined;
  } catch {
    tags = undefined; // an unreadable EXIF block is shown as none: the pixels are what is localized
  }
  return Object.entries(tags ?? {}).map(([k, v]) => [k, show(v)]);
}
