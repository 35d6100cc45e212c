/**
 * Per-shot settings: the scene's light (hidden, like in a real photo) and every setting the
 * camera records in EXIF. Drawn in two steps because auto-exposure needs to meter the
 * rendered scene: `drawShotPlan` (everything the photographer/camera decides up front),
 * then `finishShot` (exposure and flash from the meter reading).
 */
import { PROGRAM, type CameraProfile, type ExposureProgramCode, type MeteringCode } from './camera.ts';
import { exposureOf, ratio, solveExposure, widestAperture, type Rational } from './exposure.ts';
import type { Random } from './random.ts';

/** EXIF LightSource codes with the colour temperature of the matching white-balance preset. */
export const WB_PRESETS = [
  { lightSource: 1, name: 'Daylight', kelvin: 5500 },
  { lightSource: 10, name: 'Cloudy weather', kelvin: 6500 },
  { lightSource: 11, name: 'Shade', kelvin: 7500 },
  { lightSource: 3, name: 'Tungsten', kelvin: 3200 },
  { lightSource: 2, name: 'Fluorescent', kelvin: 4000 },
  { lightSource: 4, name: 'Flash', kelvin: 5500 },
] as const;

const SCENES = [
  { kind: 'sunny', ev: [12.5, 15], kelvin: [5000, 6000] },
  { kind: 'overcast', ev: [9.5, 12.5], kelvin: [6000, 7500] },
  { kind: 'indoor', ev: [5, 8], kelvin: [2700, 4300] },
  { kind: 'dusk', ev: [2, 5], kelvin: [2500, 4000] },
] as const;

export interface ShotPlan {
  sceneKind: (typeof SCENES)[number]['kind'];
  /** Scene luminance as EV at ISO 100. */
  ev: number;
  /** Colour temperature of the ambient light. */
  illuminantK: number;
  focalLength: number;
  digitalZoom: number;
  program: ExposureProgramCode;
  meteringMode: MeteringCode;
  /** Exposure compensation in thirds of a stop. */
  biasThirds: number;
  flashWanted: boolean;
  /** null = auto white balance; otherwise the preset. */
  wbPreset: (typeof WB_PRESETS)[number] | null;
  adobeRgb: boolean;
  /** -1 soft/low, 0 normal, +1 hard/high (EXIF Contrast/Saturation/Sharpness codes 1, 0, 2). */
  contrast: -1 | 0 | 1;
  saturation: -1 | 0 | 1;
  sharpness: -1 | 0 | 1;
  sceneCaptureType: 0 | 1 | 2 | 3;
  dateTime: string;
}

export interface ShotSettings extends ShotPlan {
  exposureTime: Rational;
  fNumber: number;
  iso: number;
  /** EXIF Flash code (bit 0 = fired). */
  flash: number;
  flashFired: boolean;
  /** Exposure from the ambient light and the flash's extra exposure at the frame centre. */
  ambientExposure: number;
  flashExposure: number;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

const style = (rng: Random, varies: boolean): -1 | 0 | 1 => (varies && rng.bool(0.4) ? rng.pick([-1, 1] as const) : 0);

export function drawShotPlan(cam: CameraProfile, rng: Random): ShotPlan {
  const sc = rng.weighted(SCENES, [3, 3, 3, 1]);
  const ev = rng.uniform(sc.ev[0], sc.ev[1]);
  const { focalMin, focalMax } = cam.lens;
  const focalLength = Math.round(focalMin * Math.pow(focalMax / focalMin, rng.next()) * 10) / 10;
  const program = rng.pick(cam.programs);
  const wbPreset = cam.manualWb && rng.bool(0.35) ? rng.pick(WB_PRESETS.slice(0, 5)) : null;
  const sceneCaptureType = !cam.tags.sceneCaptureType ? 0 : sc.kind === 'dusk' && rng.bool(0.5) ? 3 : rng.weighted([0, 1, 2] as const, [6, 2, 2]);
  const d = new Date(Date.UTC(cam.year, 0, 1) + rng.uniform(0, 3 * 365) * 86400e3);
  const dateTime = `${d.getUTCFullYear()}:${pad2(d.getUTCMonth() + 1)}:${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  const dim = ev < 7;
  return {
    sceneKind: sc.kind,
    ev,
    illuminantK: rng.uniform(sc.kelvin[0], sc.kelvin[1]),
    focalLength,
    digitalZoom: rng.bool(cam.digitalZoomRate) ? Math.round(rng.uniform(1.3, 3) * 10) / 10 : 1,
    program,
    meteringMode: rng.pick(cam.meteringModes),
    biasThirds: program === PROGRAM.manual || cam.kind === 'phone' ? 0 : rng.bool(0.7) ? 0 : rng.int(-6, 6),
    flashWanted: cam.flash === 'auto' ? dim && rng.bool(0.8) : cam.flash === 'manual' ? rng.bool(dim ? 0.5 : 0.05) : false,
    wbPreset,
    adobeRgb: cam.adobeRgb && rng.bool(0.5),
    contrast: style(rng, cam.variesPictureStyle),
    saturation: style(rng, cam.variesPictureStyle),
    sharpness: style(rng, cam.variesPictureStyle),
    sceneCaptureType,
    dateTime,
  };
}

/** Flash codes: fired/not fired in the camera's flash mode. */
function flashCode(cam: CameraProfile, fired: boolean): number {
  if (cam.flash === 'none') return 32; // no flash function
  if (cam.flash === 'auto') return fired ? 25 : 24; // auto mode
  return fired ? 9 : 16; // compulsory on / off
}

/**
 * Completes a shot from the meter reading of the rendered scene (mean reflectance the
 * metering mode sees). With flash, the shutter drops to sync speed and the flash supplies
 * what ambient light lacks at the frame centre.
 */
export function finishShot(cam: CameraProfile, plan: ShotPlan, metered: number, rng: Random): ShotSettings {
  const target = (0.18 * Math.pow(2, plan.biasThirds / 3)) / Math.max(0.01, metered);
  const focal35 = plan.focalLength * cam.lens.cropFactor * plan.digitalZoom;
  const handheld = plan.sceneCaptureType === 3 ? 1 / 4 : 1 / Math.max(30, focal35);
  const slowLimit = plan.flashWanted ? 1 / 60 : handheld;
  const program = plan.flashWanted && plan.program === PROGRAM.shutterPriority ? PROGRAM.normal : plan.program;
  let choice = solveExposure({ cam, program, ev: plan.ev, target, focal: plan.focalLength, slowLimit, rng });
  let flashFired = false;
  let flashExposure = 0;
  if (plan.flashWanted) {
    // Flash exposure: ambient at sync speed, base-ish ISO, flash fills the rest.
    const t: Rational = [1, 60];
    const iso = Math.min(cam.isoMax, cam.continuousExposure ? Math.round(cam.sensor.baseIso * 4) : cam.sensor.baseIso <= 100 ? 200 : cam.sensor.baseIso);
    const fNumber = program === PROGRAM.aperturePriority ? choice.fNumber : Math.max(widestAperture(cam, plan.focalLength), choice.fNumber);
    choice = { exposureTime: t, fNumber: Math.round(fNumber * 10) / 10, iso };
    const ambient = exposureOf(ratio(t), iso, choice.fNumber, plan.ev);
    flashExposure = Math.max(0, target - ambient);
    flashFired = flashExposure > 0;
  }
  return {
    ...plan,
    program,
    ...choice,
    flash: flashCode(cam, flashFired),
    flashFired,
    ambientExposure: exposureOf(ratio(choice.exposureTime), choice.iso, choice.fNumber, plan.ev),
    flashExposure,
  };
}
