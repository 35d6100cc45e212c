/**
 * Exposure: standard stop scales, metering, and the auto-exposure solver. The exposure a
 * pixel receives is X = t * S * 2^EV / (100 * N^2) (reflected-light meter equation with
 * EV at ISO 100): X = 1 renders an 18% grey as 18%. The camera meters the scene, aims at a
 * target X, and the settings it picks (quantized to its stop scale) are what EXIF records,
 * so the image brightness follows from exactly those settings and the scene's light.
 */
import { METERING, PROGRAM, type CameraProfile, type ExposureProgramCode, type MeteringCode } from './camera.ts';
import type { Planes } from './planes.ts';
import type { Random } from './random.ts';

/** A positive rational as EXIF stores it. */
export type Rational = [number, number];

/** 1/3-stop shutter speeds from 30 s to 1/8000 s, as the rationals cameras write. */
export const SHUTTER_SPEEDS: readonly Rational[] = [
  [30, 1], [25, 1], [20, 1], [15, 1], [13, 1], [10, 1], [8, 1], [6, 1], [5, 1], [4, 1], [16, 5], [5, 2], [2, 1], [8, 5], [13, 10],
  [1, 1], [4, 5], [3, 5], [1, 2], [2, 5], [3, 10], [1, 4], [1, 5], [1, 6], [1, 8], [1, 10], [1, 13], [1, 15], [1, 20], [1, 25],
  [1, 30], [1, 40], [1, 50], [1, 60], [1, 80], [1, 100], [1, 125], [1, 160], [1, 200], [1, 250], [1, 320], [1, 400], [1, 500],
  [1, 640], [1, 800], [1, 1000], [1, 1250], [1, 1600], [1, 2000], [1, 2500], [1, 3200], [1, 4000], [1, 5000], [1, 6400], [1, 8000],
];
export const F_STOPS: readonly number[] = [1, 1.1, 1.2, 1.4, 1.6, 1.8, 2, 2.2, 2.5, 2.8, 3.2, 3.5, 4, 4.5, 5, 5.6, 6.3, 7.1, 8, 9, 10, 11, 13, 14, 16, 18, 20, 22];
export const ISO_STOPS: readonly number[] = [25, 32, 40, 50, 64, 80, 100, 125, 160, 200, 250, 320, 400, 500, 640, 800, 1000, 1250, 1600, 2000, 2500, 3200, 4000, 5000, 6400, 8000, 10000, 12800, 16000, 20000, 25600];

function nearestLog<T>(items: readonly T[], value: (t: T) => number, target: number): T {
  let best = items[0];
  let bestD = Infinity;
  for (const it of items) {
    const d = Math.abs(Math.log(value(it) / target));
    if (d < bestD) {
      bestD = d;
      best = it;
    }
  }
  return best;
}

export const ratio = (r: Rational): number => r[0] / r[1];

/** The exposure a scene at `ev` (EV100) receives with these settings (1 = a correct exposure of a mid-grey scene). */
export function exposureOf(t: number, iso: number, fNumber: number, ev: number): number {
  return (t * iso * Math.pow(2, ev)) / (100 * fNumber * fNumber);
}

/** Widest aperture of the lens at this focal length (interpolated in log focal, as zooms do). */
export function widestAperture(cam: CameraProfile, focal: number): number {
  const { focalMin, focalMax, fWide, fWideTele } = cam.lens;
  if (focalMax <= focalMin) return fWide;
  const t = Math.log(focal / focalMin) / Math.log(focalMax / focalMin);
  return fWide * Math.pow(fWideTele / fWide, t);
}

/**
 * The camera's light meter: the weighted mean reflectance-luminance it sees, on a sparse
 * grid (metering needs no more). Spot reads the centre, centre-weighted favours it, pattern
 * ("matrix"/"evaluative") takes a geometric mean that ignores bright highlights.
 */
export function meter(scene: Planes, mode: MeteringCode): number {
  const { width: W, height: H } = scene;
  const [r, g, b] = scene.c;
  const step = Math.max(1, Math.floor(Math.min(W, H) / 48));
  let sum = 0;
  let wsum = 0;
  for (let y = step >> 1; y < H; y += step) {
    for (let x = step >> 1; x < W; x += step) {
      const i = y * W + x;
      const lum = Math.max(1e-4, 0.2126 * r[i] + 0.7152 * g[i] + 0.0722 * b[i]);
      const dx = (x / W - 0.5) * 2;
      const dy = (y / H - 0.5) * 2;
      const rr = dx * dx + dy * dy;
      let w = 1;
      let v = lum;
      if (mode === METERING.centerWeighted) w = 1 + 3 * Math.exp(-rr / 0.15);
      else if (mode === METERING.spot) w = rr < 0.03 ? 1 : 0;
      else if (mode === METERING.pattern) v = Math.log(lum);
      sum += w * v;
      wsum += w;
    }
  }
  if (wsum === 0) return 0.18;
  return mode === METERING.pattern ? Math.exp(sum / wsum) * 1.25 : sum / wsum;
}

export interface ExposureChoice {
  exposureTime: Rational;
  fNumber: number;
  iso: number;
}

interface SolveInput {
  cam: CameraProfile;
  program: ExposureProgramCode;
  ev: number;
  /** The exposure X the camera aims at. */
  target: number;
  focal: number;
  /** Longest shutter time the camera accepts before raising ISO (hand-held limit; flash sync). */
  slowLimit: number;
  rng: Random;
}

function quantizeTime(cam: CameraProfile, t: number): Rational {
  const tt = Math.min(30, Math.max(cam.fastestShutter, t));
  if (cam.continuousExposure) {
    // Phones write the time the sensor actually integrated: 1/N with any N, or whole seconds.
    return tt >= 1 ? [Math.round(tt), 1] : [1, Math.max(1, Math.round(1 / tt))];
  }
  return nearestLog(
    SHUTTER_SPEEDS.filter((s) => ratio(s) >= cam.fastestShutter * 0.99),
    ratio,
    tt,
  );
}

function quantizeIso(cam: CameraProfile, s: number): number {
  const ss = Math.min(cam.isoMax, Math.max(cam.sensor.baseIso, s));
  if (cam.continuousExposure) return Math.round(ss);
  return nearestLog(ISO_STOPS.filter((v) => v >= cam.sensor.baseIso && v <= cam.isoMax), (v) => v, ss);
}

function quantizeF(cam: CameraProfile, n: number, focal: number): number {
  const lo = widestAperture(cam, focal);
  if (cam.lens.fMax <= lo) return Math.round(lo * 10) / 10;
  const nn = Math.min(cam.lens.fMax, Math.max(lo, n));
  const stops = F_STOPS.filter((v) => v >= lo * 0.97 && v <= cam.lens.fMax);
  return stops.length > 0 ? nearestLog(stops, (v) => v, nn) : Math.round(lo * 10) / 10;
}

/** Picks (t, N, ISO) the way the exposure program would, then quantizes to the camera's scales. */
export function solveExposure(inp: SolveInput): ExposureChoice {
  const { cam, program, ev, target, focal, rng } = inp;
  const R = (100 * target) / Math.pow(2, ev); // t * S / N^2 needed
  const lo = widestAperture(cam, focal);
  const base = cam.sensor.baseIso;
  // Auto ISO: base ISO unless the time would exceed the slow limit.
  const autoIso = (n: number, limit: number): number => quantizeIso(cam, Math.max(base, (R * n * n) / limit));

  let n: number;
  let iso: number;
  let t: number;
  if (program === PROGRAM.aperturePriority) {
    n = quantizeF(cam, lo * Math.pow(2, rng.uniform(0, Math.log2(cam.lens.fMax / lo))), focal);
    iso = rng.bool(0.5) ? autoIso(n, inp.slowLimit) : quantizeIso(cam, base * Math.pow(2, rng.int(0, 4)));
    t = (R * n * n) / iso;
  } else if (program === PROGRAM.shutterPriority) {
    const tUser = ratio(quantizeTime(cam, Math.pow(2, -rng.uniform(4, 11))));
    iso = quantizeIso(cam, Math.max(base, (R * lo * lo) / tUser));
    n = quantizeF(cam, Math.sqrt((tUser * iso) / R), focal);
    t = tUser;
  } else {
    // Program line: open up in dim light, stop down as the light grows.
    n = quantizeF(cam, lo * Math.pow(2, Math.max(0, (ev - 9) / 3)), focal);
    iso = autoIso(n, inp.slowLimit);
    t = (R * n * n) / iso;
    if (program === PROGRAM.manual) t *= Math.pow(2, Math.round(rng.normal() * 2) / 3); // the photographer's own judgement
  }
  return { exposureTime: quantizeTime(cam, t), fNumber: n, iso };
}
