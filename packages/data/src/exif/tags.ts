/**
 * The EXIF tags a text may contain, in the fixed order texts use (camera identity first, then
 * exposure, then image-processing settings, then file structure: roughly the order of a camera's
 * EXIF IFDs). A corpus vocabulary picks a subset by frequency but never changes this order.
 *
 * `key` is exifr's tag name (= exiftool's tag name, what `exiftool -s` prints, and the name
 * used in records and index files). `name` is the readable name written into the text; it
 * follows the EXIF-spec names the paper's YFCC100M metadata uses ("F-Number", "ISO Speed
 * Ratings", "Exposure Bias Value"), which differ from exiftool's descriptions in a few places
 * (exiftool: "F Number", "ISO", "Exposure Compensation", "Camera Model Name"). Values are
 * printed exactly as exiftool prints them (print.ts).
 *
 * Left out on purpose: date/time tags (per-photo values no pixel can predict: noise for the
 * contrastive loss), per-image geometry inside the frame (SubjectArea), TIFF structure tags
 * (StripOffsets, BitsPerSample, ...), CFAPattern, and everything sensitive.ts lists.
 */
import type { ExifValue } from './read.ts';
import * as E from './enums.ts';
import {
  asNumber, asciiBytes, cFixed, componentsConfiguration, enumValue, exposureTime, fNumber, fraction, lensInfo,
  plainNumber,
} from './print.ts';

export interface TagSpec {
  key: string;
  name: string;
  /** exiftool-style readable value, or undefined when the stored value is unusable. */
  print: (v: ExifValue) => string | undefined;
}

const str = (v: ExifValue): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) ? v.join(' ') : plainNumber(v));
const num = (v: ExifValue): string | undefined => {
  if (Array.isArray(v)) return v.map(plainNumber).join(' ');
  return typeof v === 'number' ? plainNumber(v) : v;
};
const withNum = (f: (n: number) => string | undefined) => (v: ExifValue): string | undefined => {
  const n = asNumber(v);
  return n === undefined ? undefined : f(n);
};
const table = (t: Record<number, string>) => (v: ExifValue) => enumValue(t, v);
/** APEX aperture -> f-number, printed "%.1f". */
const apexAperture = withNum((n) => cFixed(2 ** (n / 2), 1));

export const TAGS: readonly TagSpec[] = [
  { key: 'Make', name: 'Make', print: str },
  { key: 'Model', name: 'Model', print: str },
  { key: 'LensMake', name: 'Lens Make', print: str },
  { key: 'LensModel', name: 'Lens Model', print: str },
  { key: 'LensInfo', name: 'Lens Specification', print: (v) => (Array.isArray(v) ? lensInfo(v) : str(v)) },
  { key: 'Software', name: 'Software', print: str },
  { key: 'ExposureTime', name: 'Exposure Time', print: withNum(exposureTime) },
  { key: 'FNumber', name: 'F-Number', print: withNum(fNumber) },
  { key: 'ExposureProgram', name: 'Exposure Program', print: table(E.EXPOSURE_PROGRAM) },
  { key: 'ISO', name: 'ISO Speed Ratings', print: num },
  { key: 'SensitivityType', name: 'Sensitivity Type', print: table(E.SENSITIVITY_TYPE) },
  { key: 'RecommendedExposureIndex', name: 'Recommended Exposure Index', print: num },
  { key: 'ShutterSpeedValue', name: 'Shutter Speed Value', print: withNum((n) => (Math.abs(n) < 100 ? exposureTime(2 ** -n) : '0')) },
  { key: 'ApertureValue', name: 'Aperture Value', print: apexAperture },
  { key: 'BrightnessValue', name: 'Brightness Value', print: num },
  { key: 'ExposureCompensation', name: 'Exposure Bias Value', print: withNum(fraction) },
  { key: 'MaxApertureValue', name: 'Max Aperture Value', print: apexAperture },
  { key: 'SubjectDistance', name: 'Subject Distance', print: withNum((n) => `${plainNumber(n)} m`) },
  { key: 'MeteringMode', name: 'Metering Mode', print: table(E.METERING_MODE) },
  { key: 'LightSource', name: 'Light Source', print: table(E.LIGHT_SOURCE) },
  { key: 'Flash', name: 'Flash', print: table(E.FLASH) },
  { key: 'FocalLength', name: 'Focal Length', print: withNum((n) => `${cFixed(n, 1)} mm`) },
  { key: 'FocalLengthIn35mmFormat', name: 'Focal Length In 35mm Film', print: withNum((n) => `${plainNumber(n)} mm`) },
  { key: 'DigitalZoomRatio', name: 'Digital Zoom Ratio', print: num },
  { key: 'ExposureIndex', name: 'Exposure Index', print: num },
  { key: 'ExposureMode', name: 'Exposure Mode', print: table(E.EXPOSURE_MODE) },
  { key: 'WhiteBalance', name: 'White Balance', print: table(E.WHITE_BALANCE) },
  { key: 'SceneCaptureType', name: 'Scene Capture Type', print: table(E.SCENE_CAPTURE_TYPE) },
  { key: 'GainControl', name: 'Gain Control', print: table(E.GAIN_CONTROL) },
  { key: 'Contrast', name: 'Contrast', print: table(E.NORMAL_LOW_HIGH) },
  { key: 'Saturation', name: 'Saturation', print: table(E.NORMAL_LOW_HIGH) },
  { key: 'Sharpness', name: 'Sharpness', print: table(E.SHARPNESS) },
  { key: 'SubjectDistanceRange', name: 'Subject Distance Range', print: table(E.SUBJECT_DISTANCE_RANGE) },
  { key: 'CustomRendered', name: 'Custom Rendered', print: table(E.CUSTOM_RENDERED) },
  { key: 'SensingMethod', name: 'Sensing Method', print: table(E.SENSING_METHOD) },
  { key: 'FileSource', name: 'File Source', print: table(E.FILE_SOURCE) },
  { key: 'SceneType', name: 'Scene Type', print: table(E.SCENE_TYPE) },
  { key: 'ColorSpace', name: 'Color Space', print: table(E.COLOR_SPACE) },
  { key: 'Gamma', name: 'Gamma', print: num },
  { key: 'CompressedBitsPerPixel', name: 'Compressed Bits Per Pixel', print: num },
  { key: 'ComponentsConfiguration', name: 'Components Configuration', print: componentsConfiguration },
  { key: 'ExifVersion', name: 'Exif Version', print: asciiBytes },
  { key: 'FlashpixVersion', name: 'FlashPix Version', print: asciiBytes },
  { key: 'ExifImageWidth', name: 'Exif Image Width', print: num },
  { key: 'ExifImageHeight', name: 'Exif Image Height', print: num },
  { key: 'Orientation', name: 'Orientation', print: table(E.ORIENTATION) },
  { key: 'XResolution', name: 'X Resolution', print: num },
  { key: 'YResolution', name: 'Y Resolution', print: num },
  { key: 'ResolutionUnit', name: 'Resolution Unit', print: table(E.RESOLUTION_UNIT) },
  { key: 'FocalPlaneXResolution', name: 'Focal Plane X Resolution', print: num },
  { key: 'FocalPlaneYResolution', name: 'Focal Plane Y Resolution', print: num },
  { key: 'FocalPlaneResolutionUnit', name: 'Focal Plane Resolution Unit', print: table(E.FOCAL_PLANE_UNIT) },
  { key: 'YCbCrPositioning', name: 'YCbCr Positioning', print: table(E.YCBCR_POSITIONING) },
];

const BY_KEY = new Map(TAGS.map((t, i) => [t.key, { ...t, order: i }]));

export function tagSpec(key: string): (TagSpec & { order: number }) | undefined {
  return BY_KEY.get(key);
}

/** Sorts tag keys into the fixed text order (unknown keys last, alphabetically). */
export function inTextOrder(keys: Iterable<string>): string[] {
  const big = TAGS.length;
  return [...keys].sort((a, b) => (tagSpec(a)?.order ?? big) - (tagSpec(b)?.order ?? big) || a.localeCompare(b));
}

/** The raw value as text (the "raw values" ablation): stored numbers, 6 significant digits. */
export function rawValue(v: ExifValue): string {
  const one = (x: number) => String(Number(x.toPrecision(6)));
  if (Array.isArray(v)) return v.map(one).join(' ');
  return typeof v === 'number' ? one(v) : v;
}
