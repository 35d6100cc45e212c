/**
 * Draws N distinct simulated cameras from a seed. Cameras of one make share its "house
 * style" (CFA layout, JPEG tables, tone transfer, software naming, EXIF tag habits), as real
 * manufacturers do; each model then varies sensor, resolution, lens, colour, sharpening,
 * noise reduction and JPEG quality, so both make and model are learnable.
 */
import { CFA_PATTERNS, type CfaPattern } from './cfa.ts';
import { invert, mulMat, normalizeRows, type Mat3, type Transfer, type Vec3 } from './color.ts';
import { DEMOSAIC_METHODS, type DemosaicMethod } from './demosaic.ts';
import { METERING, PROGRAM, type CameraKind, type CameraProfile, type Lens, type TagStyle } from './camera.ts';
import { Random } from './random.ts';

/** Invented manufacturers: the zoo must not pass itself off as real cameras. */
const MAKES = [
  { make: 'AURELON CORPORATION', short: 'AURELON' },
  { make: 'Brightwell', short: 'Brightwell' },
  { make: 'CORVANA', short: 'CORVANA' },
  { make: 'Daikyo Optical Co.,Ltd', short: 'Daikyo' },
  { make: 'Elsinore Imaging', short: 'Elsinore' },
  { make: 'FENNICK', short: 'FENNICK' },
  { make: 'Garrow', short: 'Garrow' },
  { make: 'HOSHIMI', short: 'HOSHIMI' },
  { make: 'Iverna Mobile', short: 'Iverna' },
  { make: 'Jastrow Digital', short: 'Jastrow' },
  { make: 'KESTREL', short: 'KESTREL' },
  { make: 'Lumetra', short: 'Lumetra' },
];

const SERIES: Record<CameraKind, string[]> = {
  dslr: ['D', 'EX-', 'K', 'Alpha ', 'Z', 'R'],
  compact: ['PowerSnap ', 'S', 'Coolview ', 'FinePix ', 'TX', 'Lumo '],
  phone: ['Nova ', 'P', 'Galaxia ', 'One ', 'Mi ', 'X'],
};

interface HouseStyle {
  make: string;
  short: string;
  cfa: CfaPattern;
  demosaic: DemosaicMethod;
  table: number;
  transfer: Transfer;
  software: (rng: Random, model: string) => string;
  tags: TagStyle;
  modelHasMake: boolean;
}

const SOFTWARE_STYLES: ((rng: Random, model: string) => string)[] = [
  (rng) => `Ver.${rng.int(1, 3)}.${String(rng.int(0, 9)).padStart(2, '0')}`,
  (rng, model) => `${model} Firmware ${rng.int(1, 4)}.${rng.int(0, 9)}.${rng.int(0, 9)}`,
  (rng) => `Firmware Version ${rng.int(1, 2)}.${rng.int(0, 9)}${rng.int(0, 9)}`,
  (rng) => `${rng.int(10, 17)}.${rng.int(0, 6)}.${rng.int(0, 3)}`,
  (rng) => `V${rng.int(1, 9)}.${rng.int(0, 9)}`,
];

function drawHouse(rng: Random, idx: number): HouseStyle {
  const m = MAKES[idx % MAKES.length];
  const make = idx < MAKES.length ? m.make : `${m.make} ${Math.floor(idx / MAKES.length) + 1}`;
  return {
    make,
    short: m.short,
    cfa: rng.pick(CFA_PATTERNS),
    demosaic: rng.pick(DEMOSAIC_METHODS),
    table: rng.int(0, 8),
    transfer: rng.weighted<Transfer>(['srgb', 'gamma2.2', 'gamma1.8'], [3, 2, 1]),
    software: rng.pick(SOFTWARE_STYLES),
    tags: {
      lensModel: rng.bool(0.5),
      apex: rng.bool(0.5),
      brightness: rng.bool(0.4),
      sceneCaptureType: rng.bool(0.7),
      pictureStyle: rng.bool(0.6),
      lightSource: rng.bool(0.5),
      digitalZoom: rng.bool(0.5),
      focal35: rng.bool(0.6),
    },
    modelHasMake: rng.bool(0.5),
  };
}

export interface ZooSizes {
  /** Both sides of every image are within [minSize, maxSize]. */
  minSize: number;
  maxSize: number;
}

function even(n: number): number {
  return Math.max(2, 2 * Math.round(n / 2));
}

function drawResolution(rng: Random, kind: CameraKind, s: ZooSizes): [number, number] {
  const aspect = kind === 'dslr' ? rng.weighted([1.5, 4 / 3, 16 / 9], [5, 1, 1]) : rng.weighted([4 / 3, 16 / 9, 1, 1.5], [5, 2, 1, 1]);
  const a = Math.min(aspect, s.maxSize / s.minSize);
  const long = rng.uniform(s.minSize * a, s.maxSize);
  const w = Math.min(s.maxSize, even(long));
  const h = Math.max(s.minSize, Math.min(s.maxSize, even(long / a)));
  return [w, h];
}

function drawLens(rng: Random, kind: CameraKind, house: HouseStyle): Lens {
  const blurSigma = rng.uniform(0.3, 0.9);
  if (kind === 'phone') {
    const f = rng.pick([3.99, 4.15, 4.25, 4.71, 5.6]);
    const fn = rng.pick([1.7, 1.8, 2.0, 2.2, 2.4]);
    return { focalMin: f, focalMax: f, fWide: fn, fWideTele: fn, fMax: fn, cropFactor: rng.uniform(6, 7.5), blurSigma, vignette: rng.uniform(0.25, 0.5), name: `${house.short} back camera ${f}mm f/${fn}` };
  }
  if (kind === 'compact') {
    const fmin = rng.pick([4.3, 5, 5.2, 6.1]);
    const zoom = rng.pick([3, 4, 5, 10]);
    const fw = rng.pick([2.8, 3.1, 3.3]);
    return { focalMin: fmin, focalMax: fmin * zoom, fWide: fw, fWideTele: fw * rng.uniform(1.6, 2.1), fMax: 8, cropFactor: rng.uniform(4.5, 6), blurSigma, vignette: rng.uniform(0.15, 0.35), name: `${house.short} Zoom Lens ${zoom}x` };
  }
  const l = rng.pick([
    { focalMin: 18, focalMax: 55, fWide: 3.5, fWideTele: 5.6, crop: 1.5 },
    { focalMin: 24, focalMax: 70, fWide: 2.8, fWideTele: 2.8, crop: 1 },
    { focalMin: 50, focalMax: 50, fWide: 1.8, fWideTele: 1.8, crop: 1 },
    { focalMin: 17, focalMax: 85, fWide: 4, fWideTele: 5.6, crop: 1.6 },
    { focalMin: 70, focalMax: 200, fWide: 4, fWideTele: 4, crop: 1 },
  ]);
  const name = l.focalMin === l.focalMax ? `${l.focalMin}mm f/${l.fWide}` : `${l.focalMin}-${l.focalMax}mm f/${l.fWide}${l.fWide === l.fWideTele ? '' : `-${l.fWideTele}`}`;
  return { focalMin: l.focalMin, focalMax: l.focalMax, fWide: l.fWide, fWideTele: l.fWideTele, fMax: 22, cropFactor: l.crop, blurSigma, vignette: rng.uniform(0.08, 0.3), name };
}

/** Camera response: each filter mostly passes its own primary plus some cross-talk, and green is the most sensitive. */
function drawResponse(rng: Random): { response: Mat3; ccm: Mat3 } {
  const m: Mat3 = [];
  for (let r = 0; r < 3; r++) {
    const diag = rng.uniform(0.6, 0.88);
    const split = rng.uniform(0.25, 0.75);
    const row = [0, 0, 0];
    row[r] = diag;
    row[(r + 1) % 3] = (1 - diag) * split;
    row[(r + 2) % 3] = (1 - diag) * (1 - split);
    m.push(...row);
  }
  const sens: Vec3 = [rng.uniform(0.45, 0.7), 1, rng.uniform(0.5, 0.85)];
  const response = m.map((v, i) => v * sens[Math.floor(i / 3)]);
  // The colour matrix undoes the cross-talk only approximately: a small per-camera error is its "colour science".
  const err: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1].map((v) => v + rng.normal() * 0.04);
  const ccm = normalizeRows(mulMat(err, normalizeRows(invert(m))));
  return { response, ccm };
}

export function drawCamera(rng: Random, index: number, house: HouseStyle, sizes: ZooSizes): CameraProfile {
  const kind = rng.weighted<CameraKind>(['dslr', 'compact', 'phone'], [4, 3, 3]);
  const [width, height] = drawResolution(rng, kind, sizes);
  const lens = drawLens(rng, kind, house);
  const { response, ccm } = drawResponse(rng);
  const number = kind === 'phone' ? `${rng.int(3, 14)}${rng.pick(['', ' Pro', ' Lite', 's'])}` : `${rng.int(1, 9)}${rng.int(0, 9)}${rng.pick(['0', '00', '5', ''])}${rng.pick(['', ' II', 's', ''])}`;
  const base = `${rng.pick(SERIES[kind])}${number}`;
  const model = house.modelHasMake ? `${house.short} ${base}` : base;
  const phone = kind === 'phone';
  const dslr = kind === 'dslr';
  const baseIso = phone ? rng.pick([25, 32, 40, 50]) : dslr ? rng.pick([100, 100, 200]) : rng.pick([64, 80, 100]);
  return {
    id: `c${String(index).padStart(2, '0')}`,
    make: house.make,
    model,
    software: house.software(rng, model),
    kind,
    width,
    height,
    dpi: rng.pick([72, 72, 180, 240, 300, 350]),
    cfa: rng.bool(0.8) ? house.cfa : rng.pick(CFA_PATTERNS),
    demosaic: rng.bool(0.7) ? house.demosaic : rng.pick(DEMOSAIC_METHODS),
    sensor: {
      fullWell: phone ? rng.uniform(2500, 6000) : dslr ? rng.uniform(20000, 60000) : rng.uniform(6000, 15000),
      readNoise: rng.uniform(1.5, 6),
      adcNoise: rng.uniform(0.0003, 0.002),
      baseIso,
      bitDepth: phone ? 10 : dslr ? rng.pick([12, 14]) : 12,
      blackLevel: rng.uniform(0.02, 0.07),
      prnu: rng.uniform(0.003, 0.015),
      prnuSeed: rng.u32() | 0,
      response,
    },
    isoMax: phone ? rng.pick([1600, 3200, 6400]) : dslr ? rng.pick([6400, 12800, 25600]) : rng.pick([1600, 3200]),
    continuousExposure: phone,
    fastestShutter: phone ? 1 / 10000 : dslr ? rng.pick([1 / 4000, 1 / 8000]) : 1 / 2000,
    lens,
    ccm,
    awbBias: [rng.uniform(0.95, 1.06), 1, rng.uniform(0.94, 1.05)],
    saturation: rng.uniform(0.9, 1.3),
    tone: { transfer: house.transfer, contrast: rng.uniform(0, 0.35), knee: rng.uniform(0.6, 0.9), blackOffset: rng.uniform(-0.01, 0.02) },
    sharpen: { amount: phone ? rng.uniform(0.6, 1.6) : rng.uniform(0.05, 0.7), sigma: rng.uniform(0.6, 1.6) },
    chromaNr: phone ? rng.uniform(0.6, 1) : dslr ? rng.uniform(0, 0.3) : rng.uniform(0.3, 0.7),
    jpeg: {
      quality: phone ? rng.int(85, 95) : dslr ? rng.int(88, 98) : rng.int(78, 96),
      chroma: rng.bool(dslr ? 0.4 : 0.2) ? '4:4:4' : '4:2:0',
      table: rng.bool(0.8) ? house.table : rng.int(0, 8),
    },
    programs: phone ? [PROGRAM.normal] : dslr ? [PROGRAM.manual, PROGRAM.normal, PROGRAM.aperturePriority, PROGRAM.shutterPriority] : rng.pick([[PROGRAM.normal], [PROGRAM.normal, PROGRAM.aperturePriority]]),
    meteringModes: phone ? [rng.pick([METERING.pattern, METERING.average, METERING.centerWeighted])] : dslr ? [METERING.pattern, METERING.centerWeighted, METERING.spot] : rng.pick([[METERING.pattern], [METERING.pattern, METERING.average]]),
    flash: phone ? rng.pick(['auto', 'none'] as const) : dslr ? 'manual' : 'auto',
    manualWb: dslr || (kind === 'compact' && rng.bool(0.5)),
    adobeRgb: dslr && rng.bool(0.4),
    variesPictureStyle: !phone && rng.bool(0.5),
    digitalZoomRate: dslr ? 0 : rng.uniform(0.05, 0.2),
    tags: { ...house.tags, pictureStyle: house.tags.pictureStyle && !phone },
    year: rng.int(2008, 2023),
  };
}

/**
 * `count` cameras over about 0.6 * count makes (at least one, so small zoos still have
 * several models of one make when count >= 3). Same seed, same zoo.
 */
export function makeCameraZoo(count: number, seed: number, sizes: ZooSizes): CameraProfile[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`camera zoo: --cameras must be a positive integer, got ${count}`);
  if (!(sizes.minSize >= 16 && sizes.maxSize >= sizes.minSize)) throw new Error(`camera zoo: need 16 <= min-size <= max-size, got ${sizes.minSize}..${sizes.maxSize}`);
  const rng = Random.seeded(seed).fork('zoo');
  const nMakes = Math.max(1, Math.round(count * 0.6));
  const makeOrder = rng.shuffle(Array.from({ length: Math.max(nMakes, MAKES.length) }, (_, i) => i)).slice(0, nMakes);
  const houses = makeOrder.map((i) => drawHouse(rng.fork('house', i), i));
  const cams: CameraProfile[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const cam = drawCamera(rng.fork('camera', i), i, houses[i % nMakes], sizes);
    // Two draws of one make can collide on a model name; a mark number keeps (make, model) unique.
    for (let mark = 2; seen.has(`${cam.make}|${cam.model}`); mark++) cam.model = `${cam.model.replace(/ Mark \d+$/, '')} Mark ${mark}`;
    seen.add(`${cam.make}|${cam.model}`);
    cams.push(cam);
  }
  return cams;
}
