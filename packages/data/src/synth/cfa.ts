/**
 * Colour filter array sampling and sensor noise: the stage where a camera's sensor leaves
 * its traces (Bayer layout, per-ISO noise, a fixed pixel-response pattern, bit depth).
 */
import { latticeHash } from './noise.ts';
import type { Planes } from './planes.ts';
import type { Random } from './random.ts';

export type CfaPattern = 'RGGB' | 'BGGR' | 'GRBG' | 'GBRG';
export const CFA_PATTERNS: readonly CfaPattern[] = ['RGGB', 'BGGR', 'GRBG', 'GBRG'];

/** Channel index (0 R, 1 G, 2 B) of the 2x2 cell position (x & 1, y & 1), as a 4-entry table. */
export function cfaTable(p: CfaPattern): Uint8Array {
  const idx: Record<string, number> = { R: 0, G: 1, B: 2 };
  return Uint8Array.from([idx[p[0]], idx[p[1]], idx[p[2]], idx[p[3]]]);
}

export interface SensorModel {
  /** Electrons at saturation at base ISO (small phone pixels ~4k, large DSLR pixels ~40k). */
  fullWell: number;
  /** Read noise in electrons (before the analogue gain). */
  readNoise: number;
  /** Noise after the gain (ADC, downstream electronics) as a fraction of the white level. */
  adcNoise: number;
  baseIso: number;
  bitDepth: number;
  /** Black level as a fraction of the white level. */
  blackLevel: number;
  /** Pixel response non-uniformity amplitude (a fixed per-camera pattern, like a PRNU fingerprint). */
  prnu: number;
  prnuSeed: number;
  /** Scene RGB -> camera RGB response, row-major 3x3 (rows: the camera's R, G, B filters). */
  response: number[];
}

/**
 * Samples the CFA from exposed scene radiance (in output units after the ISO gain: 1.0 = the
 * white level), adds shot and read noise for the given ISO, and quantizes to the sensor's bit depth. Returns the mosaic normalized so 0 = black level
 * and 1 = white level (values may dip below 0 from noise, as in real raw data).
 *
 * Physics: the output (after gain) is `p`; the electrons behind it are
 * p * fullWell * baseIso / iso, so a higher ISO means fewer electrons and relatively more
 * shot noise, plus read noise amplified by the same gain.
 */
export function sampleMosaic(radiance: Planes, pattern: CfaPattern, sensor: SensorModel, iso: number, rng: Random): Float32Array {
  const { width: W, height: H } = radiance;
  const table = cfaTable(pattern);
  const M = sensor.response;
  const out = new Float32Array(W * H);
  const noise = new Float32Array(W * H);
  rng.fillNormal(noise);
  const ePerUnit = (sensor.fullWell * sensor.baseIso) / iso;
  const unitPerE = 1 / ePerUnit;
  const read2 = sensor.readNoise * sensor.readNoise;
  const adc2 = sensor.adcNoise * sensor.adcNoise;
  const levels = (1 << sensor.bitDepth) - 1;
  const black = sensor.blackLevel * levels;
  const white = levels;
  const span = white - black;
  const [r, g, b] = radiance.c;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const ch = table[(x & 1) | ((y & 1) << 1)];
      let p = M[3 * ch] * r[i] + M[3 * ch + 1] * g[i] + M[3 * ch + 2] * b[i];
      if (sensor.prnu > 0) p *= 1 + sensor.prnu * (latticeHash(x, y, sensor.prnuSeed) - 0.5) * 2;
      if (p < 0) p = 0;
      if (p > 1) p = 1; // the photosite saturates
      const e = p * ePerUnit;
      // Shot (Poisson ~ Gaussian, variance e) + read noise in electrons, then ADC noise after the gain.
      const sigma = Math.sqrt((e + read2) * unitPerE * unitPerE + adc2);
      let dn = Math.round(black + (p + sigma * noise[i]) * span);
      if (dn < 0) dn = 0;
      else if (dn > levels) dn = levels;
      out[i] = (dn - black) / span;
    }
  }
  return out;
}
