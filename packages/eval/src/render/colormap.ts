/**
 * Colour maps for the localization pictures.
 *
 * - `coolwarm`: Moreland's diverging map ("Diverging Color Maps for Scientific Visualization",
 *   2009), the one seaborn/matplotlib call coolwarm: blue (59, 76, 192) -> near-white
 *   (221, 221, 221) -> red (180, 4, 38), interpolated in his polar Lab space (Msh) so lightness
 *   rises linearly to the white midpoint and falls again.
 * - `inferno`: the sequential black -> purple -> orange -> pale yellow map, approximated by nine
 *   of its key colours interpolated in CIELAB.
 *
 * Each map is a 1025-entry table (odd, so 0.5 has an entry of its own) built once on first use.
 */

export type ColormapName = 'coolwarm' | 'inferno';

const LUT_SIZE = 1025;

type Vec3 = [number, number, number];

// ---- sRGB <-> CIELAB (D65) ----

const WHITE: Vec3 = [0.95047, 1, 1.08883];

function toLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function fromLinear(c: number): number {
  const v = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
  return Math.min(1, Math.max(0, v));
}

function labF(t: number): number {
  return t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29;
}

function labFInv(t: number): number {
  return t > 6 / 29 ? t ** 3 : 3 * (6 / 29) ** 2 * (t - 4 / 29);
}

/** sRGB bytes -> CIELAB */
function rgbToLab([r8, g8, b8]: Vec3): Vec3 {
  const r = toLinear(r8 / 255), g = toLinear(g8 / 255), b = toLinear(b8 / 255);
  const x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
  const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
  const z = 0.0193339 * r + 0.119192 * g + 0.9503041 * b;
  const fx = labF(x / WHITE[0]), fy = labF(y / WHITE[1]), fz = labF(z / WHITE[2]);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIELAB -> sRGB in [0, 1] (clipped to the gamut) */
function labToRgb([l, a, b]: Vec3): Vec3 {
  const fy = (l + 16) / 116;
  const x = WHITE[0] * labFInv(fy + a / 500), y = WHITE[1] * labFInv(fy), z = WHITE[2] * labFInv(fy - b / 200);
  const r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const g = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  const bl = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  return [fromLinear(r), fromLinear(g), fromLinear(bl)];
}

// ---- Moreland's diverging interpolation in Msh ----

function labToMsh([l, a, b]: Vec3): Vec3 {
  const m = Math.hypot(l, a, b);
  return [m, m > 0 ? Math.acos(l / m) : 0, Math.atan2(b, a)];
}

function mshToLab([m, s, h]: Vec3): Vec3 {
  return [m * Math.cos(s), m * Math.sin(s) * Math.cos(h), m * Math.sin(s) * Math.sin(h)];
}

/** the hue an unsaturated colour of magnitude `mUnsat` takes next to the saturated `sat` */
function adjustHue([m, s, h]: Vec3, mUnsat: number): number {
  if (m >= mUnsat) return h;
  const spin = (s * Math.sqrt(mUnsat * mUnsat - m * m)) / (m * Math.sin(s));
  return h > -Math.PI / 3 ? h + spin : h - spin;
}

function divergingAt(c1: Vec3, c2: Vec3, t: number): Vec3 {
  let a = labToMsh(rgbToLab(c1));
  let b = labToMsh(rgbToLab(c2));
  // Two distinct saturated ends: pass through an unsaturated white in the middle.
  if (a[1] > 0.05 && b[1] > 0.05 && Math.abs(a[2] - b[2]) > Math.PI / 3) {
    const mid = Math.max(a[0], b[0], 88);
    if (t < 0.5) { b = [mid, 0, 0]; t *= 2; } else { a = [mid, 0, 0]; t = 2 * t - 1; }
  }
  if (a[1] < 0.05 && b[1] > 0.05) a = [a[0], a[1], adjustHue(b, a[0])];
  else if (b[1] < 0.05 && a[1] > 0.05) b = [b[0], b[1], adjustHue(a, b[0])];
  const msh: Vec3 = [(1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1], (1 - t) * a[2] + t * b[2]];
  return labToRgb(mshToLab(msh));
}

// ---- piecewise interpolation through key colours in CIELAB ----

const INFERNO_KEYS: Vec3[] = [
  [0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85],
  [227, 89, 51], [249, 140, 10], [249, 201, 50], [252, 255, 164],
];

function keyedAt(keysLab: Vec3[], t: number): Vec3 {
  const pos = t * (keysLab.length - 1);
  const i = Math.min(keysLab.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = keysLab[i]!, b = keysLab[i + 1]!;
  return labToRgb([a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])]);
}

// ---- tables ----

const luts = new Map<ColormapName, Uint8Array>();

function buildLut(name: ColormapName): Uint8Array {
  const lut = new Uint8Array(LUT_SIZE * 3);
  let at: (t: number) => Vec3;
  if (name === 'coolwarm') {
    at = (t) => divergingAt([59, 76, 192], [180, 4, 38], t);
  } else {
    const keysLab = INFERNO_KEYS.map(rgbToLab);
    at = (t) => keyedAt(keysLab, t);
  }
  for (let i = 0; i < LUT_SIZE; i++) {
    const rgb = at(i / (LUT_SIZE - 1));
    for (let c = 0; c < 3; c++) lut[3 * i + c] = Math.round(255 * rgb[c]!);
  }
  return lut;
}

/** The colour table of a map: LUT_SIZE RGB entries for t = i / (LUT_SIZE - 1). */
export function colormapTable(name: ColormapName = 'coolwarm'): Uint8Array {
  let lut = luts.get(name);
  if (!lut) {
    if (name !== 'coolwarm' && name !== 'inferno') throw new Error(`unknown colour map '${String(name)}'`);
    lut = buildLut(name);
    luts.set(name, lut);
  }
  return lut;
}

/**
 * A perceptual colour map (coolwarm, as the official evaluation's seaborn plots use, or inferno)
 * of values scaled from [lo, hi] to [0, 1] and clamped; RGB bytes (3 per value). NaN takes the
 * colour of lo. With lo == hi, values below are lo's colour, above hi's, equal the middle.
 */
export function colormap(values: ArrayLike<number>, lo: number, hi: number, name: ColormapName = 'coolwarm'): Uint8Array {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) throw new Error(`colormap: bad range [${lo}, ${hi}]`);
  const lut = colormapTable(name);
  const n = values.length;
  const out = new Uint8Array(n * 3);
  const last = LUT_SIZE - 1;
  const scale = hi > lo ? last / (hi - lo) : 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let k: number;
    if (scale > 0) {
      k = Math.round((v - lo) * scale);
      k = k > 0 ? (k < last ? k : last) : 0; // NaN fails both tests -> 0
    } else {
      k = v > lo ? last : v < lo ? 0 : v === lo ? last >> 1 : 0;
    }
    const j = 3 * k;
    out[3 * i] = lut[j]!;
    out[3 * i + 1] = lut[j + 1]!;
    out[3 * i + 2] = lut[j + 2]!;
  }
  return out;
}
