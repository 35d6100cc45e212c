/**
 * Value printing that matches exiftool's default (print-converted) output, so that a text reads
 * like `exiftool photo.jpg` for the same tag: "1/500", "4.0", "30.0 mm", "Auto, Fired",
 * "Aperture-priority AE", "+2/3". The rules follow exiftool's Exif.pm print conversions
 * (PrintExposureTime, PrintFNumber, PrintFraction, PrintLensInfo and its enum tables).
 */
import type { ExifValue } from './read.ts';

/**
 * C/Perl printf("%.Nf"). JS toFixed rounds the exact binary value half-up; C rounds exact ties
 * to even. The two differ only when the exact decimal expansion ends in 5 right after the last
 * printed digit (2.25 -> "2.2" in C), which toFixed(100) reveals (exact for the magnitudes EXIF
 * holds).
 */
export function cFixed(v: number, digits: number): string {
  const full = Math.abs(v).toFixed(100);
  const tail = full.slice(full.indexOf('.') + 1 + digits);
  if (/^50*$/.test(tail)) {
    const truncated = full.slice(0, full.indexOf('.') + 1 + digits).replace(/\.$/, '');
    const lastDigit = Number(truncated.replace('.', '').slice(-1));
    const down = Number(truncated);
    const mag = lastDigit % 2 === 0 ? down : down + 10 ** -digits;
    return (v < 0 ? -mag : mag).toFixed(digits);
  }
  return v.toFixed(digits);
}

/** exiftool keeps rationals rounded to 10 significant digits (GetRational64u's RoundFloat). */
export function round10(v: number): number {
  return Number.isInteger(v) ? v : Number(v.toPrecision(10));
}

/** A number as exiftool prints an unconverted value: 10 significant digits, no trailing zeros. */
export function plainNumber(v: number): string {
  return String(round10(v));
}

export function asNumber(v: ExifValue): number | undefined {
  if (typeof v === 'number') return round10(v);
  if (Array.isArray(v) && v.length === 1) return round10(v[0]);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

export function exposureTime(secs: number): string {
  if (secs > 0 && secs < 0.25001) return `1/${Math.floor(0.5 + 1 / secs)}`;
  return cFixed(secs, 1).replace(/\.0$/, '');
}

export function fNumber(v: number): string {
  return v > 0 ? cFixed(v, v < 1 ? 2 : 1) : plainNumber(v);
}

/** exiftool's PrintFraction (exposure compensation): 0, +1, -1/2, +2/3, else %+.3g. */
export function fraction(value: number): string {
  const v = value * 1.00001; // exiftool's guard against round-off
  const sign = (x: number) => (x >= 0 ? `+${x}` : `${x}`);
  if (!v) return '0';
  if (Math.trunc(v) / v > 0.999) return sign(Math.trunc(v));
  if (Math.trunc(v * 2) / (v * 2) > 0.999) return `${sign(Math.trunc(v * 2))}/2`;
  if (Math.trunc(v * 3) / (v * 3) > 0.999) return `${sign(Math.trunc(v * 3))}/3`;
  const g = Number(v.toPrecision(3));
  return g >= 0 ? `+${g}` : `${g}`;
}

/** LensSpecification [minFocal, maxFocal, minF@min, minF@max] -> "18-55mm f/3.5-5.6". */
export function lensInfo(v: number[]): string | undefined {
  if (v.length !== 4) return undefined;
  const [a, b, c, d] = v.map(plainNumber);
  let s = a;
  if (v[1] && b !== a) s += `-${b}`;
  s += `mm f/${c}`;
  if (v[3] && d !== c) s += `-${d}`;
  return s;
}

/** Undefined-type version fields ("0230") stored as ASCII bytes. */
export function asciiBytes(v: ExifValue): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return String.fromCharCode(...v.filter((x) => x !== 0));
  return undefined;
}

const COMPONENTS = ['-', 'Y', 'Cb', 'Cr', 'R', 'G', 'B'];
export function componentsConfiguration(v: ExifValue): string | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((x) => COMPONENTS[x] ?? String(x)).join(', ');
}

/** Enum lookup; exiftool prints unknown codes as "Unknown (N)". */
export function enumValue(table: Readonly<Record<number, string>>, v: ExifValue): string | undefined {
  const n = asNumber(v);
  if (n === undefined) return typeof v === 'string' ? v : undefined;
  return table[n] ?? `Unknown (${n})`;
}
