/**
 * A simulated camera: every parameter that leaves a trace in its pixels (sensor, CFA,
 * demosaicing, colour, tone, sharpening, noise reduction, JPEG settings, resolution, lens)
 * and every habit that shows in its EXIF (make/model naming, software string, which tags it
 * writes, which exposure programs, metering modes, flash and white-balance modes it offers).
 */
import type { CfaPattern, SensorModel } from './cfa.ts';
import type { Mat3, ToneParams, Vec3 } from './color.ts';
import type { DemosaicMethod } from './demosaic.ts';

export type CameraKind = 'dslr' | 'compact' | 'phone';
export type ChromaSubsampling = '4:2:0' | '4:4:4';

/** EXIF ExposureProgram codes used here. */
export const PROGRAM = { manual: 1, normal: 2, aperturePriority: 3, shutterPriority: 4 } as const;
export type ExposureProgramCode = (typeof PROGRAM)[keyof typeof PROGRAM];
/** EXIF MeteringMode codes used here. */
export const METERING = { average: 1, centerWeighted: 2, spot: 3, pattern: 5 } as const;
export type MeteringCode = (typeof METERING)[keyof typeof METERING];

export interface Lens {
  /** Focal range in mm (equal for a prime or a phone). */
  focalMin: number;
  focalMax: number;
  /** Widest aperture at the short and at the long end. */
  fWide: number;
  fWideTele: number;
  /** Smallest aperture. */
  fMax: number;
  /** 35 mm equivalent factor of the sensor. */
  cropFactor: number;
  /** Optical blur (px, Gaussian sigma) wide open; diffraction adds to it at small apertures. */
  blurSigma: number;
  /** Corner fall-off wide open (fraction of light lost in the corners). */
  vignette: number;
  /** Written as LensModel when the camera's tag style includes it. */
  name: string;
}

export interface TagStyle {
  lensModel: boolean;
  /** ShutterSpeedValue / ApertureValue / MaxApertureValue (APEX). */
  apex: boolean;
  brightness: boolean;
  sceneCaptureType: boolean;
  /** Contrast / Saturation / Sharpness. */
  pictureStyle: boolean;
  lightSource: boolean;
  digitalZoom: boolean;
  focal35: boolean;
}

export interface CameraProfile {
  id: string;
  make: string;
  model: string;
  software: string;
  kind: CameraKind;
  width: number;
  height: number;
  dpi: number;
  cfa: CfaPattern;
  demosaic: DemosaicMethod;
  sensor: SensorModel;
  isoMax: number;
  /** Phones write arbitrary ISO values and exposure times 1/N; others use 1/3-stop scales. */
  continuousExposure: boolean;
  fastestShutter: number;
  lens: Lens;
  /** Camera RGB -> linear output RGB after white balance (rows sum to 1). */
  ccm: Mat3;
  /** Systematic error of the auto white balance (per-channel gain factors). */
  awbBias: Vec3;
  saturation: number;
  tone: ToneParams;
  sharpen: { amount: number; sigma: number };
  /** Chroma noise-reduction strength at the top of the ISO range (0 = none). */
  chromaNr: number;
  jpeg: { quality: number; chroma: ChromaSubsampling; table: number };
  programs: ExposureProgramCode[];
  meteringModes: MeteringCode[];
  flash: 'none' | 'auto' | 'manual';
  manualWb: boolean;
  adobeRgb: boolean;
  /** Whether the user changes Contrast / Saturation / Sharpness between shots. */
  variesPictureStyle: boolean;
  /** Probability of a digital-zoom shot (phones, compacts). */
  digitalZoomRate: number;
  tags: TagStyle;
  /** Year of the camera's first shots (DateTimeOriginal is drawn after it). */
  year: number;
}
