/**
 * Procedural scenes: the "world" every simulated camera photographs.
 *
 * A scene is a list of layers in world coordinates (the widest view spans [-0.5, 0.5] on
 * its long side): a background (two-colour gradient, optional horizon with a textured
 * ground, low-frequency mottling), then shapes (ellipses, rotated rectangles, convex
 * polygons, bands) filled with flat colour, gradients, fractal noise, stripes, checkers or
 * dots, with edges from razor-sharp to defocused, then a smooth illumination field. The
 * mix gives crops that differ: smooth areas where sensor noise shows, textures where
 * demosaicing and sharpening show, edges where JPEG ringing shows.
 *
 * Values are linear reflectances in about [0.02, 0.9]; light and exposure come later.
 */
import { fbm, valueNoise } from './noise.ts';
import { newPlanes, smoothField, type Planes } from './planes.ts';
import type { Random } from './random.ts';

type Rgb = [number, number, number];

export type Fill =
  | { kind: 'flat'; a: Rgb }
  | { kind: 'gradient'; a: Rgb; b: Rgb; angle: number; scale: number }
  | { kind: 'fbm'; a: Rgb; b: Rgb; freq: number; octaves: number; seed: number }
  | { kind: 'stripes'; a: Rgb; b: Rgb; freq: number; angle: number; duty: number }
  | { kind: 'checker'; a: Rgb; b: Rgb; freq: number; angle: number }
  | { kind: 'dots'; a: Rgb; b: Rgb; freq: number; radius: number };

export type Shape =
  | { kind: 'ellipse'; cx: number; cy: number; rx: number; ry: number; rot: number }
  | { kind: 'rect'; cx: number; cy: number; hw: number; hh: number; rot: number }
  | { kind: 'poly'; pts: number[] } // convex, counter-clockwise, x0 y0 x1 y1 ...
  | { kind: 'band'; nx: number; ny: number; c: number; hw: number };

export interface Layer {
  shape: Shape;
  fill: Fill;
  /** Edge width in output pixels (0.3 = a hard edge, 4 = out of focus). */
  soft: number;
  /** Multiplicative fine grain amplitude (0 = none). */
  grain: number;
  grainSeed: number;
}

export interface Scene {
  background: { top: Fill; horizon: number | null; ground: Fill; mottle: number; mottleSeed: number };
  layers: Layer[];
  /** Amplitude of the low-frequency illumination field (0 = uniform light). */
  shading: number;
  shadingSeed: number;
}

/** A random colour as linear reflectance, drawn in HSV so saturated and grey ones both appear. */
function drawColour(rng: Random): Rgb {
  const h = rng.next() * 6;
  const s = rng.bool(0.3) ? rng.uniform(0, 0.15) : rng.uniform(0.2, 0.9);
  const v = rng.uniform(0.15, 0.95);
  const i = Math.floor(h);
  const f = h - i;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  const rgb: Rgb = [
    [v, q, p, p, t, v][i % 6],
    [t, v, v, q, p, p][i % 6],
    [p, p, t, v, v, q][i % 6],
  ];
  // HSV values are perceptual; square them to get roughly linear reflectance.
  return rgb.map((c) => Math.max(0.02, Math.min(0.9, c * c))) as Rgb;
}

function drawFill(rng: Random): Fill {
  const a = drawColour(rng);
  const b = drawColour(rng);
  const kind = rng.weighted(['flat', 'gradient', 'fbm', 'stripes', 'checker', 'dots'] as const, [3, 3, 4, 2, 1, 1]);
  const angle = rng.uniform(0, Math.PI);
  switch (kind) {
    case 'flat':
      return { kind, a };
    case 'gradient':
      return { kind, a, b, angle: rng.uniform(0, 2 * Math.PI), scale: rng.uniform(0.3, 1.5) };
    case 'fbm':
      return { kind, a, b, freq: Math.exp(rng.uniform(Math.log(3), Math.log(120))), octaves: rng.int(2, 5), seed: rng.u32() | 0 };
    case 'stripes':
      return { kind, a, b, freq: Math.exp(rng.uniform(Math.log(4), Math.log(80))), angle, duty: rng.uniform(0.2, 0.8) };
    case 'checker':
      return { kind, a, b, freq: Math.exp(rng.uniform(Math.log(4), Math.log(50))), angle };
    case 'dots':
      return { kind, a, b, freq: Math.exp(rng.uniform(Math.log(5), Math.log(60))), radius: rng.uniform(0.15, 0.45) };
  }
}

function drawShape(rng: Random): Shape {
  const cx = rng.uniform(-0.6, 0.6);
  const cy = rng.uniform(-0.45, 0.45);
  const size = Math.exp(rng.uniform(Math.log(0.012), Math.log(0.45)));
  const kind = rng.weighted(['ellipse', 'rect', 'poly', 'band'] as const, [3, 3, 3, 1]);
  switch (kind) {
    case 'ellipse':
      return { kind, cx, cy, rx: size, ry: size * rng.uniform(0.3, 1), rot: rng.uniform(0, Math.PI) };
    case 'rect':
      return { kind, cx, cy, hw: size, hh: size * rng.uniform(0.2, 1), rot: rng.bool(0.5) ? 0 : rng.uniform(0, Math.PI) };
    case 'poly': {
      const n = rng.int(3, 7);
      const angles: number[] = [];
      for (let i = 0; i < n; i++) angles.push(rng.uniform(0, 2 * Math.PI));
      angles.sort((x, y) => x - y);
      const pts: number[] = [];
      for (const t of angles) pts.push(cx + size * Math.cos(t), cy + size * Math.sin(t));
      return { kind, pts };
    }
    case 'band': {
      const t = rng.uniform(0, Math.PI);
      return { kind, nx: Math.cos(t), ny: Math.sin(t), c: rng.uniform(-0.4, 0.4), hw: size * 0.3 };
    }
  }
}

export function drawScene(rng: Random): Scene {
  const layers: Layer[] = [];
  const n = rng.int(6, 20);
  for (let i = 0; i < n; i++) {
    layers.push({
      shape: drawShape(rng),
      fill: drawFill(rng),
      soft: rng.bool(0.7) ? rng.uniform(0.3, 1.2) : rng.uniform(1.5, 5),
      grain: rng.bool(0.4) ? rng.uniform(0.02, 0.12) : 0,
      grainSeed: rng.u32() | 0,
    });
  }
  return {
    background: {
      top: rng.bool(0.7) ? { kind: 'gradient', a: drawColour(rng), b: drawColour(rng), angle: rng.uniform(0, 2 * Math.PI), scale: rng.uniform(0.5, 2) } : drawFill(rng),
      horizon: rng.bool(0.5) ? rng.uniform(-0.2, 0.3) : null,
      ground: drawFill(rng),
      mottle: rng.uniform(0, 0.25),
      mottleSeed: rng.u32() | 0,
    },
    layers,
    shading: rng.uniform(0, 0.5),
    shadingSeed: rng.u32() | 0,
  };
}

/**
 * Every fill is a blend a + (b - a) * t of two colours; this compiles a fill into a function
 * returning t (trigonometry hoisted), so textures are evaluated once per pixel, not per channel.
 */
function compileFill(f: Fill, ppu: number): (u: number, v: number) => number {
  switch (f.kind) {
    case 'flat':
      return () => 0;
    case 'gradient': {
      const c = Math.cos(f.angle) / f.scale;
      const s = Math.sin(f.angle) / f.scale;
      return (u, v) => Math.min(1, Math.max(0, 0.5 + u * c + v * s));
    }
    case 'fbm': {
      // Octaves finer than ~3 pixels per cycle would only alias; skip them (the optics blur them away anyway).
      const useful = 1 + Math.floor(Math.log((0.35 * ppu) / f.freq) / Math.log(2.03));
      const octaves = Math.max(1, Math.min(f.octaves, useful));
      return (u, v) => fbm(u * f.freq, v * f.freq, f.seed, octaves);
    }
    case 'stripes': {
      const c = Math.cos(f.angle) * f.freq;
      const s = Math.sin(f.angle) * f.freq;
      return (u, v) => {
        const p = u * c + v * s;
        return p - Math.floor(p) < f.duty ? 0 : 1;
      };
    }
    case 'checker': {
      const c = Math.cos(f.angle) * f.freq;
      const s = Math.sin(f.angle) * f.freq;
      return (u, v) => ((Math.floor(u * c + v * s) + Math.floor(v * c - u * s)) & 1) === 0 ? 0 : 1;
    }
    case 'dots': {
      const r2 = f.radius * f.radius;
      return (u, v) => {
        const x = u * f.freq;
        const y = v * f.freq;
        const dx = x - Math.floor(x) - 0.5;
        const dy = y - Math.floor(y) - 0.5;
        return dx * dx + dy * dy < r2 ? 0 : 1;
      };
    }
  }
}

/** Second colour of a fill (a flat fill has only one). */
function fillB(f: Fill): Rgb {
  return f.kind === 'flat' ? f.a : f.b;
}

/** Signed distance in world units (negative inside), compiled per shape. Approximate outside for ellipses and polygons, which only softens edges. */
function compileSdf(s: Shape): (u: number, v: number) => number {
  switch (s.kind) {
    case 'ellipse': {
      const c = Math.cos(s.rot);
      const sn = Math.sin(s.rot);
      const m = Math.min(s.rx, s.ry);
      return (u, v) => {
        const x = ((u - s.cx) * c + (v - s.cy) * sn) / s.rx;
        const y = ((v - s.cy) * c - (u - s.cx) * sn) / s.ry;
        return (Math.sqrt(x * x + y * y) - 1) * m;
      };
    }
    case 'rect': {
      const c = Math.cos(s.rot);
      const sn = Math.sin(s.rot);
      return (u, v) => {
        const x = Math.abs((u - s.cx) * c + (v - s.cy) * sn) - s.hw;
        const y = Math.abs((v - s.cy) * c - (u - s.cx) * sn) - s.hh;
        const ox = Math.max(x, 0);
        const oy = Math.max(y, 0);
        return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(x, y), 0);
      };
    }
    case 'poly': {
      // Edge lines as (nx, ny, offset) with unit outward normals; the SDF of a convex polygon is the max over edges.
      const p = s.pts;
      const n = p.length / 2;
      const e = new Float64Array(3 * n);
      for (let i = 0; i < n; i++) {
        const x0 = p[2 * i];
        const y0 = p[2 * i + 1];
        const ex = p[(2 * i + 2) % p.length] - x0;
        const ey = p[(2 * i + 3) % p.length] - y0;
        const len = Math.hypot(ex, ey) || 1;
        e[3 * i] = ey / len;
        e[3 * i + 1] = -ex / len;
        e[3 * i + 2] = -(x0 * ey - y0 * ex) / len;
      }
      return (u, v) => {
        let d = -Infinity;
        for (let i = 0; i < e.length; i += 3) {
          const dist = u * e[i] + v * e[i + 1] + e[i + 2];
          if (dist > d) d = dist;
        }
        return d;
      };
    }
    case 'band':
      return (u, v) => Math.abs(u * s.nx + v * s.ny - s.c) - s.hw;
  }
}

/** World-space bounding box of a shape, used to skip pixels it cannot touch. */
function bounds(s: Shape): [number, number, number, number] {
  switch (s.kind) {
    case 'ellipse': {
      const r = Math.max(s.rx, s.ry);
      return [s.cx - r, s.cy - r, s.cx + r, s.cy + r];
    }
    case 'rect': {
      const r = Math.hypot(s.hw, s.hh);
      return [s.cx - r, s.cy - r, s.cx + r, s.cy + r];
    }
    case 'poly': {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (let i = 0; i < s.pts.length; i += 2) {
        x0 = Math.min(x0, s.pts[i]);
        x1 = Math.max(x1, s.pts[i]);
        y0 = Math.min(y0, s.pts[i + 1]);
        y1 = Math.max(y1, s.pts[i + 1]);
      }
      return [x0, y0, x1, y1];
    }
    case 'band':
      return [-Infinity, -Infinity, Infinity, Infinity];
  }
}

export interface View {
  width: number;
  height: number;
  /** Magnification relative to the widest view (focal length / shortest focal length of the zoo). */
  zoom: number;
}

/** Value noise at ~0.7 cycles per pixel, centred: values in [-1, 1]. */
function grainField(W: number, H: number, seed: number): Float32Array {
  const g = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) g[y * W + x] = (valueNoise(x * 0.7, y * 0.7, seed) - 0.5) * 2;
  return g;
}

/** Rasterizes a scene as seen by a camera with the given pixel grid and zoom. */
export function renderScene(scene: Scene, view: View): Planes {
  const { width: W, height: H } = view;
  const out = newPlanes(W, H, 3);
  const ppu = Math.max(W, H) * view.zoom; // pixels per world unit
  const u0 = -W / 2 / ppu;
  const v0 = -H / 2 / ppu;
  const bg = scene.background;
  // Low-frequency fields (mottling, illumination) on a coarse grid; step chosen so a noise cell spans many grid points.
  const step = Math.max(2, Math.min(16, Math.floor(ppu / 40)));
  const mottle = smoothField(W, H, step, (x, y) => 1 + bg.mottle * (valueNoise((u0 + x / ppu) * 6, (v0 + y / ppu) * 6, bg.mottleSeed) - 0.5));
  const top = compileFill(bg.top, ppu);
  const ground = compileFill(bg.ground, ppu);
  const topB = fillB(bg.top);
  const groundB = fillB(bg.ground);
  for (let y = 0; y < H; y++) {
    const v = v0 + (y + 0.5) / ppu;
    const isGround = bg.horizon !== null && v > bg.horizon;
    const f = isGround ? ground : top;
    const A = isGround ? bg.ground.a : bg.top.a;
    const B = isGround ? groundB : topB;
    for (let x = 0; x < W; x++) {
      const u = u0 + (x + 0.5) / ppu;
      const i = y * W + x;
      const t = f(u, v);
      const m = mottle[i];
      out.c[0][i] = (A[0] + (B[0] - A[0]) * t) * m;
      out.c[1][i] = (A[1] + (B[1] - A[1]) * t) * m;
      out.c[2][i] = (A[2] + (B[2] - A[2]) * t) * m;
    }
  }
  // Fine grain is a pixel-scale texture: one field for the frame, shared by every grainy layer.
  const grain = scene.layers.some((L) => L.grain > 0) ? grainField(W, H, scene.shadingSeed ^ 0x5bd1e995) : null;
  for (const L of scene.layers) {
    const [bx0, by0, bx1, by1] = bounds(L.shape);
    const margin = L.soft * 2;
    const xs = Math.max(0, Math.floor((bx0 - u0) * ppu - margin));
    const xe = Math.min(W, Math.ceil((bx1 - u0) * ppu + margin));
    const ys = Math.max(0, Math.floor((by0 - v0) * ppu - margin));
    const ye = Math.min(H, Math.ceil((by1 - v0) * ppu + margin));
    const sd = compileSdf(L.shape);
    const f = compileFill(L.fill, ppu);
    const A = L.fill.a;
    const B = fillB(L.fill);
    for (let y = ys; y < ye; y++) {
      const v = v0 + (y + 0.5) / ppu;
      for (let x = xs; x < xe; x++) {
        const u = u0 + (x + 0.5) / ppu;
        const a = Math.min(1, Math.max(0, 0.5 - (sd(u, v) * ppu) / L.soft));
        if (a <= 0) continue;
        const i = y * W + x;
        const g = grain !== null && L.grain > 0 ? 1 + L.grain * grain[i] : 1;
        const t = f(u, v);
        for (let ch = 0; ch < 3; ch++) {
          const c = (A[ch] + (B[ch] - A[ch]) * t) * g;
          out.c[ch][i] += (c - out.c[ch][i]) * a;
        }
      }
    }
  }
  if (scene.shading > 0) {
    const shade = smoothField(W, H, step, (x, y) => 1 + scene.shading * (fbm((u0 + x / ppu) * 1.5, (v0 + y / ppu) * 1.5, scene.shadingSeed, 2) - 0.5) * 2);
    for (const p of out.c) for (let i = 0; i < p.length; i++) p[i] *= shade[i];
  }
  return out;
}
