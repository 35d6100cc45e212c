/**
 * One shot through a simulated camera: scene -> light and exposure -> lens -> CFA + noise ->
 * demosaic -> white balance and colour matrix -> chroma noise reduction -> (digital zoom)
 * -> tone curve -> sharpening -> 8-bit RGB. Every stage reads the shot's settings, so the
 * EXIF the camera writes describes what actually happened to the pixels: ISO sets the
 * gain and with it the noise, exposure time/aperture/ISO set the brightness, aperture sets
 * vignetting and diffraction blur, the flash lights the centre, the white-balance mode
 * decides whether the illuminant's cast is removed, and so on.
 */
import { sampleMosaic } from './cfa.ts';
import { buildToneLut, illuminantRgb, mulMat, mulVec, SRGB_TO_ADOBE, TONE_LUT_MAX, TONE_LUT_SIZE, type Mat3, type Vec3 } from './color.ts';
import type { CameraProfile } from './camera.ts';
import { demosaic } from './demosaic.ts';
import { meter, widestAperture } from './exposure.ts';
import { clamp, gaussianBlur, newPlanes, type Planes } from './planes.ts';
import type { Random } from './random.ts';
import { drawScene, renderScene } from './scene.ts';
import { drawShotPlan, finishShot, type ShotSettings } from './shot.ts';

/** Raw values are exposed so a white, correctly exposed surface sits at half the sensor's range: one stop of highlight headroom. */
const HEADROOM = 0.5;
/** Focal length (35 mm equivalent) of the widest view of the world; longer lenses magnify it. */
const REFERENCE_FOCAL_35 = 24;

export interface RenderedShot {
  width: number;
  height: number;
  /** Interleaved 8-bit RGB, width * height * 3. */
  rgb: Uint8Array;
  shot: ShotSettings;
}

function even(n: number): number {
  return Math.max(4, 2 * Math.round(n / 2));
}

/** Scene reflectance -> radiance in raw output units: ambient light (+ flash), vignetting, lens blur. */
function expose(refl: Planes, cam: CameraProfile, shot: ShotSettings): void {
  const { width: W, height: H } = refl;
  const amb = illuminantRgb(shot.illuminantK);
  const fl = illuminantRgb(5500);
  const vig = cam.lens.vignette * Math.min(1, widestAperture(cam, shot.focalLength) / shot.fNumber);
  for (let y = 0; y < H; y++) {
    const dy = (y + 0.5) / H - 0.5;
    for (let x = 0; x < W; x++) {
      const dx = (x + 0.5) / W - 0.5;
      const r2 = (dx * dx + dy * dy) * 2; // 1 in the corners
      const v = 1 - vig * r2;
      const flash = shot.flashExposure / (1 + 2.5 * r2);
      const i = y * W + x;
      for (let c = 0; c < 3; c++) refl.c[c][i] *= (amb[c] * shot.ambientExposure + fl[c] * flash) * v * HEADROOM;
    }
  }
  // Diffraction softens small apertures; the lens's own blur is there wide open.
  const sigma = cam.lens.blurSigma + 0.03 * Math.max(0, shot.fNumber - 8);
  for (const p of refl.c) gaussianBlur(p, W, H, sigma);
}

/** White-balance gains in camera RGB: grey-world for auto (with the camera's bias), the preset's illuminant for manual. */
function whiteBalanceGains(rgb: Planes, cam: CameraProfile, shot: ShotSettings): Vec3 {
  let est: Vec3;
  if (shot.wbPreset === null) {
    const m: Vec3 = [0, 0, 0];
    const n = rgb.width * rgb.height;
    for (let c = 0; c < 3; c++) {
      let s = 0;
      const p = rgb.c[c];
      for (let i = 0; i < n; i += 7) s += p[i];
      m[c] = Math.max(1e-6, s);
    }
    est = [m[0] / m[1] / cam.awbBias[0], 1, m[2] / m[1] / cam.awbBias[2]];
  } else {
    const ill = illuminantRgb(shot.wbPreset.kelvin);
    const cam3 = mulVec(cam.sensor.response, ill);
    est = [cam3[0] / cam3[1], 1, cam3[2] / cam3[1]];
  }
  return [1 / est[0], 1, 1 / est[2]];
}

/** WB gains, colour matrix (and Adobe RGB primaries), saturation, undoing the headroom; in place. */
function colour(rgb: Planes, cam: CameraProfile, shot: ShotSettings): void {
  const g = whiteBalanceGains(rgb, cam, shot);
  // A camera normalizes the green gain to 1 and scales all channels so white lands at 1 after the headroom.
  let M: Mat3 = cam.ccm.map((v, i) => (v * g[i % 3]) / HEADROOM);
  if (shot.adobeRgb) M = mulMat(SRGB_TO_ADOBE, M);
  const sat = cam.saturation * [0.8, 1, 1.25][shot.saturation + 1] * (shot.sceneCaptureType === 1 ? 1.1 : 1);
  const [R, G, B] = rgb.c;
  for (let i = 0; i < R.length; i++) {
    const r = R[i], gg = G[i], b = B[i];
    const o0 = M[0] * r + M[1] * gg + M[2] * b;
    const o1 = M[3] * r + M[4] * gg + M[5] * b;
    const o2 = M[6] * r + M[7] * gg + M[8] * b;
    const y = 0.2126 * o0 + 0.7152 * o1 + 0.0722 * o2;
    R[i] = Math.max(0, y + sat * (o0 - y));
    G[i] = Math.max(0, y + sat * (o1 - y));
    B[i] = Math.max(0, y + sat * (o2 - y));
  }
}

/** Blurs the colour differences R-G and B-G, harder at high ISO (what camera noise reduction mostly does). */
function chromaNoiseReduction(rgb: Planes, cam: CameraProfile, shot: ShotSettings): void {
  const base = cam.sensor.baseIso;
  const s = cam.chromaNr * clamp(Math.log2(shot.iso / base) / Math.log2(cam.isoMax / base), 0, 1);
  if (s < 0.05) return;
  const { width: W, height: H } = rgb;
  const [R, G, B] = rgb.c;
  for (const C of [R, B]) {
    const d = new Float32Array(W * H);
    for (let i = 0; i < d.length; i++) d[i] = C[i] - G[i];
    const bl = Float32Array.from(d);
    gaussianBlur(bl, W, H, 0.8 + 2 * s);
    for (let i = 0; i < d.length; i++) C[i] = Math.max(0, G[i] + d[i] + s * (bl[i] - d[i]));
  }
}

/** Bilinear upscaling for digital zoom (its interpolation trace is part of the shot). */
function resize(src: Planes, W: number, H: number): Planes {
  const out = newPlanes(W, H, src.c.length);
  const sx = src.width / W;
  const sy = src.height / H;
  for (let y = 0; y < H; y++) {
    const fy = clamp((y + 0.5) * sy - 0.5, 0, src.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(src.height - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = clamp((x + 0.5) * sx - 0.5, 0, src.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(src.width - 1, x0 + 1);
      const tx = fx - x0;
      for (let c = 0; c < src.c.length; c++) {
        const p = src.c[c];
        const a = p[y0 * src.width + x0] + (p[y0 * src.width + x1] - p[y0 * src.width + x0]) * tx;
        const b = p[y1 * src.width + x0] + (p[y1 * src.width + x1] - p[y1 * src.width + x0]) * tx;
        out.c[c][y * W + x] = a + (b - a) * ty;
      }
    }
  }
  return out;
}

/** Tone curve, then unsharp masking of luma, then 8-bit interleaved RGB. */
function finish(rgb: Planes, cam: CameraProfile, shot: ShotSettings): Uint8Array {
  const { width: W, height: H } = rgb;
  const lut = buildToneLut({
    ...cam.tone,
    transfer: shot.adobeRgb ? 'gamma2.2' : cam.tone.transfer,
    contrast: clamp(cam.tone.contrast + 0.15 * shot.contrast - (shot.sceneCaptureType === 2 ? 0.05 : 0), -0.4, 0.7),
  });
  const scale = (TONE_LUT_SIZE - 1) / TONE_LUT_MAX;
  const last = TONE_LUT_SIZE - 1;
  const n = W * H;
  for (const p of rgb.c) {
    for (let i = 0; i < n; i++) {
      // Values are >= 0 here (colour() and the noise reduction clamp), so truncating x + 0.5 rounds.
      const k = (p[i] * scale + 0.5) | 0;
      p[i] = lut[k > last ? last : k];
    }
  }
  const amount = cam.sharpen.amount * [0.5, 1, 1.6][shot.sharpness + 1] * (shot.sceneCaptureType === 2 ? 0.7 : shot.sceneCaptureType === 1 ? 1.2 : 1);
  const [R, G, B] = rgb.c;
  const Y = new Float32Array(n);
  for (let i = 0; i < n; i++) Y[i] = 0.299 * R[i] + 0.587 * G[i] + 0.114 * B[i];
  const Yb = Float32Array.from(Y);
  gaussianBlur(Yb, W, H, cam.sharpen.sigma);
  // Uint8ClampedArray clamps to 0..255 and rounds on store.
  const out = new Uint8ClampedArray(n * 3);
  for (let i = 0; i < n; i++) {
    const d = amount * (Y[i] - Yb[i]);
    out[3 * i] = (R[i] + d) * 255;
    out[3 * i + 1] = (G[i] + d) * 255;
    out[3 * i + 2] = (B[i] + d) * 255;
  }
  return new Uint8Array(out.buffer);
}

/**
 * Develops a shot: the camera pipeline from scene reflectance (at the processing size:
 * the output size divided by the digital zoom) to 8-bit RGB at the camera's output size.
 * Consumes `refl`. Exposed on its own so tests can fix the scene and vary one setting.
 */
export function developShot(cam: CameraProfile, refl: Planes, shot: ShotSettings, rng: Random): Uint8Array {
  expose(refl, cam, shot);
  const mosaic = sampleMosaic(refl, cam.cfa, cam.sensor, shot.iso, rng.fork('noise'));
  let rgb = demosaic(mosaic, refl.width, refl.height, cam.cfa, cam.demosaic);
  colour(rgb, cam, shot);
  chromaNoiseReduction(rgb, cam, shot);
  if (rgb.width !== cam.width || rgb.height !== cam.height) rgb = resize(rgb, cam.width, cam.height);
  return finish(rgb, cam, shot);
}

/** Processing size for a digital zoom factor (the sensor area actually read). */
export function processingSize(cam: CameraProfile, digitalZoom: number): [number, number] {
  return digitalZoom > 1 ? [even(cam.width / digitalZoom), even(cam.height / digitalZoom)] : [cam.width, cam.height];
}

/** Renders one photo of a fresh random scene with camera `cam`; `rng` decides everything (scene, settings, noise). */
export function renderShot(cam: CameraProfile, rng: Random): RenderedShot {
  const plan = drawShotPlan(cam, rng.fork('plan'));
  const [pw, ph] = processingSize(cam, plan.digitalZoom);
  // Longer lenses magnify the world, sub-linearly so that telephoto shots still hold several shapes.
  const zoom = Math.min(4, Math.sqrt((plan.focalLength * cam.lens.cropFactor) / REFERENCE_FOCAL_35)) * plan.digitalZoom;
  const planes = renderScene(drawScene(rng.fork('scene')), { width: pw, height: ph, zoom });
  const shot = finishShot(cam, plan, meter(planes, plan.meteringMode), rng.fork('exposure'));
  return { width: cam.width, height: cam.height, rgb: developShot(cam, planes, shot, rng), shot };
}
