/**
 * Colour science of the simulated cameras: illuminant colours, 3x3 matrices, white-balance
 * gains, and the tone curve (as a lookup table, since it runs once per pixel and channel).
 */

export type Mat3 = number[]; // row-major 3x3
export type Vec3 = [number, number, number];

export function mulMat(a: Mat3, b: Mat3): Mat3 {
  const o: Mat3 = new Array(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) o[3 * r + c] += a[3 * r + k] * b[3 * k + c];
  return o;
}

export function mulVec(m: Mat3, v: Vec3): Vec3 {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

export function invert(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-12) throw new Error('invert: singular colour matrix');
  const s = 1 / det;
  return [A * s, -(b * i - c * h) * s, (b * f - c * e) * s, B * s, (a * i - c * g) * s, -(a * f - c * d) * s, C * s, -(a * h - b * g) * s, (a * e - b * d) * s];
}

/** Scales each row to sum to 1, so a neutral input stays neutral. */
export function normalizeRows(m: Mat3): Mat3 {
  const o = m.slice();
  for (let r = 0; r < 3; r++) {
    const s = o[3 * r] + o[3 * r + 1] + o[3 * r + 2];
    for (let c = 0; c < 3; c++) o[3 * r + c] /= s;
  }
  return o;
}

/** Linear sRGB -> linear Adobe RGB (1998), both D65. */
export const SRGB_TO_ADOBE: Mat3 = [0.7152, 0.2848, 0, 0, 1, 0, 0, 0.0412, 0.9588];

function srgbDecode(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

/**
 * Linear-sRGB colour of a black body at `kelvin`, green normalized to 1 (Tanner Helland's
 * fit of the Planckian locus; plenty for casting realistic tints, not for colorimetry).
 */
export function illuminantRgb(kelvin: number): Vec3 {
  const t = kelvin / 100;
  const r = t <= 66 ? 255 : 329.698727446 * Math.pow(t - 60, -0.1332047592);
  const g = t <= 66 ? 99.4708025861 * Math.log(t) - 161.1195681661 : 288.1221695283 * Math.pow(t - 60, -0.0755148492);
  const b = t >= 66 ? 255 : t <= 19 ? 0 : 138.5177312231 * Math.log(t - 10) - 305.0447927307;
  const lin = [r, g, b].map((c) => srgbDecode(Math.min(255, Math.max(1, c)) / 255));
  return [lin[0] / lin[1], 1, lin[2] / lin[1]];
}

export type Transfer = 'srgb' | 'gamma2.2' | 'gamma1.8';

export interface ToneParams {
  transfer: Transfer;
  /** S-curve strength in [-0.5, 0.6]; 0 = the plain transfer function. */
  contrast: number;
  /** Start of the highlight roll-off in linear units (values above it compress towards 1). */
  knee: number;
  /** Added to the encoded black (a lifted or crushed toe). */
  blackOffset: number;
}

export const TONE_LUT_SIZE = 8192;
/** The LUT covers linear [0, TONE_LUT_MAX]; brighter values saturate. */
export const TONE_LUT_MAX = 4;

/** Builds linear -> display [0, 1] as a table; index with value * (size - 1) / max. */
export function buildToneLut(p: ToneParams): Float32Array {
  const lut = new Float32Array(TONE_LUT_SIZE);
  const k = p.knee;
  for (let i = 0; i < TONE_LUT_SIZE; i++) {
    let x = (i / (TONE_LUT_SIZE - 1)) * TONE_LUT_MAX;
    if (x > k) x = k + (1 - k) * (1 - Math.exp(-(x - k) / (1 - k)));
    let y: number;
    if (p.transfer === 'srgb') y = x <= 0.0031308 ? 12.92 * x : 1.055 * Math.pow(x, 1 / 2.4) - 0.055;
    else y = Math.pow(x, p.transfer === 'gamma2.2' ? 1 / 2.2 : 1 / 1.8);
    y = y - (p.contrast * Math.sin(2 * Math.PI * y)) / (2 * Math.PI);
    y = p.blackOffset + (1 - p.blackOffset) * y;
    lut[i] = Math.min(1, Math.max(0, y));
  }
  return lut;
}
