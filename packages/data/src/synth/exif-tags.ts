/**
 * The EXIF a simulated camera writes for a shot, in two forms: the string map sharp's
 * `withExif` takes (libvips/libexif parse "n/d" strings into (S)RATIONALs, numbers into
 * SHORT/LONG; IFD2 is the Exif sub-IFD where ExposureTime, FNumber, ISO live), and the
 * plain values a manifest records (what a reader such as exifr returns for those tags).
 */
import type { CameraProfile } from './camera.ts';
import { ratio, widestAperture } from './exposure.ts';
import type { ShotSettings } from './shot.ts';

/** sharp's `Exif` option shape. */
export interface SharpExif {
  IFD0: Record<string, string>;
  IFD2: Record<string, string>;
}

/** Tag name -> value as exifr reports it with `translateValues: false` (numbers for rationals and codes). */
export type ExifValues = Record<string, string | number>;

/** -1/0/+1 style setting -> EXIF Contrast/Saturation/Sharpness code (0 normal, 1 low/soft, 2 high/hard). */
const styleCode = (v: -1 | 0 | 1): number => (v === 0 ? 0 : v < 0 ? 1 : 2);

const rat = (num: number, den: number): string => `${num}/${den}`;
/** A value to `digits` decimal places as a rational (n / 10^digits), signed allowed. */
const dec = (v: number, digits: number): [number, number] => [Math.round(v * 10 ** digits), 10 ** digits];

/**
 * All tags of a shot as [tag, IFD, value-as-written, value-as-read]. One list drives both
 * forms, so what the file says and what the manifest says cannot drift apart.
 */
function tagList(cam: CameraProfile, s: ShotSettings): [string, 'IFD0' | 'IFD2', string, string | number][] {
  const f = dec(s.fNumber, 1);
  const fl = dec(s.focalLength, 1);
  const out: [string, 'IFD0' | 'IFD2', string, string | number][] = [
    ['Make', 'IFD0', cam.make, cam.make],
    ['Model', 'IFD0', cam.model, cam.model],
    ['Software', 'IFD0', cam.software, cam.software],
    ['Orientation', 'IFD0', '1', 1],
    ['DateTime', 'IFD0', s.dateTime, s.dateTime],
    ['ExposureTime', 'IFD2', rat(...s.exposureTime), ratio(s.exposureTime)],
    ['FNumber', 'IFD2', rat(...f), f[0] / f[1]],
    ['ExposureProgram', 'IFD2', String(s.program), s.program],
    ['ISOSpeedRatings', 'IFD2', String(s.iso), s.iso],
    ['DateTimeOriginal', 'IFD2', s.dateTime, s.dateTime],
    ['DateTimeDigitized', 'IFD2', s.dateTime, s.dateTime],
    ['ExposureBiasValue', 'IFD2', rat(s.biasThirds, 3), s.biasThirds / 3],
    ['MeteringMode', 'IFD2', String(s.meteringMode), s.meteringMode],
    ['Flash', 'IFD2', String(s.flash), s.flash],
    ['FocalLength', 'IFD2', rat(...fl), fl[0] / fl[1]],
    ['ColorSpace', 'IFD2', s.adobeRgb ? '65535' : '1', s.adobeRgb ? 65535 : 1],
    ['SensingMethod', 'IFD2', '2', 2],
    ['ExposureMode', 'IFD2', s.program === 1 ? '1' : '0', s.program === 1 ? 1 : 0],
    ['WhiteBalance', 'IFD2', s.wbPreset === null ? '0' : '1', s.wbPreset === null ? 0 : 1],
  ];
  const t = cam.tags;
  if (t.lightSource) out.push(['LightSource', 'IFD2', String(s.wbPreset?.lightSource ?? 0), s.wbPreset?.lightSource ?? 0]);
  if (t.apex) {
    const tv = dec(-Math.log2(ratio(s.exposureTime)), 3);
    const av = dec(2 * Math.log2(s.fNumber), 3);
    const mav = dec(2 * Math.log2(widestAperture(cam, s.focalLength)), 2);
    out.push(['ShutterSpeedValue', 'IFD2', rat(...tv), tv[0] / tv[1]], ['ApertureValue', 'IFD2', rat(...av), av[0] / av[1]], ['MaxApertureValue', 'IFD2', rat(...mav), mav[0] / mav[1]]);
  }
  if (t.brightness) {
    // APEX Bv = EV100 - Sv(100) = EV100 - 5: the camera's own reading of the scene light.
    const bv = dec(s.ev - 5, 2);
    out.push(['BrightnessValue', 'IFD2', rat(...bv), bv[0] / bv[1]]);
  }
  if (t.sceneCaptureType) out.push(['SceneCaptureType', 'IFD2', String(s.sceneCaptureType), s.sceneCaptureType]);
  if (t.pictureStyle) {
    out.push(['Contrast', 'IFD2', String(styleCode(s.contrast)), styleCode(s.contrast)], ['Saturation', 'IFD2', String(styleCode(s.saturation)), styleCode(s.saturation)], ['Sharpness', 'IFD2', String(styleCode(s.sharpness)), styleCode(s.sharpness)]);
  }
  if (t.digitalZoom) {
    const z = dec(s.digitalZoom, 1);
    out.push(['DigitalZoomRatio', 'IFD2', rat(...z), z[0] / z[1]]);
  }
  if (t.focal35) {
    const f35 = Math.round(s.focalLength * cam.lens.cropFactor * s.digitalZoom);
    out.push(['FocalLengthIn35mmFilm', 'IFD2', String(f35), f35]);
  }
  if (t.lensModel) out.push(['LensModel', 'IFD2', cam.lens.name, cam.lens.name]);
  return out;
}

export function sharpExif(cam: CameraProfile, s: ShotSettings): SharpExif {
  const ex: SharpExif = { IFD0: {}, IFD2: {} };
  for (const [tag, ifd, written] of tagList(cam, s)) ex[ifd][tag] = written;
  return ex;
}

/** The written tags with the values a reader gets back (rationals as numbers, enums as codes). */
export function exifValues(cam: CameraProfile, s: ShotSettings): ExifValues {
  const v: ExifValues = {};
  for (const [tag, , , read] of tagList(cam, s)) v[tag] = read;
  return v;
}
