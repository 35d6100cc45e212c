/**
 * Splice regions: a rectangle or a free-form (star-shaped, possibly concave) polygon,
 * rasterized to an exact pixel mask. A pixel belongs to the region when its centre is
 * inside (even-odd rule), so the mask, the area fraction and the copied pixels agree
 * exactly: no anti-aliasing, no resampling.
 */
import type { Random } from '../synth/random.ts';

export type RegionKind = 'rect' | 'polygon';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Region {
  kind: RegionKind;
  /** Bounding box of the mask in host-crop pixels. */
  bbox: Box;
  /** Polygon vertices in host-crop pixel coordinates (the rectangle's four corners for a rect). */
  points: [number, number][];
  /** Host-crop sized mask, 1 = spliced. */
  mask: Uint8Array;
  /** Pixels in the mask. */
  area: number;
}

export interface RegionLimits {
  /** Host crop size: the mask covers minFraction..maxFraction of it. */
  width: number;
  height: number;
  minFraction: number;
  maxFraction: number;
  /** The region must fit the donor (copied at native resolution): its bbox is at most this large. */
  maxBoxWidth: number;
  maxBoxHeight: number;
}

/** Even-odd scanline fill of a polygon at pixel centres into a width x height mask; returns the pixel count. */
export function rasterizePolygon(points: readonly (readonly [number, number])[], width: number, height: number, mask: Uint8Array): number {
  mask.fill(0);
  let area = 0;
  const xs: number[] = [];
  const n = points.length;
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5;
    xs.length = 0;
    for (let i = 0; i < n; i++) {
      const [x0, y0] = points[i];
      const [x1, y1] = points[(i + 1) % n];
      // Half-open in y so a vertex exactly on the scanline is counted once.
      if ((y0 <= cy && y1 > cy) || (y1 <= cy && y0 > cy)) xs.push(x0 + ((cy - y0) / (y1 - y0)) * (x1 - x0));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Pixels whose centre x + 0.5 lies in [xs[k], xs[k+1]).
      const from = Math.max(0, Math.ceil(xs[k] - 0.5));
      const to = Math.min(width, Math.ceil(xs[k + 1] - 0.5));
      for (let x = from; x < to; x++) {
        if (mask[y * width + x] === 0) area++;
        mask[y * width + x] = 1;
      }
    }
  }
  return area;
}

function bboxOf(mask: Uint8Array, width: number, height: number): Box {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? { x: 0, y: 0, width: 0, height: 0 } : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Unit star-shaped outline: sorted jittered angles, radii in [0.45, 1] of an ellipse with the given aspect (w/h). */
function starOutline(rng: Random, aspect: number): [number, number][] {
  const n = rng.int(5, 12);
  const pts: [number, number][] = [];
  const rx = Math.sqrt(aspect);
  const ry = 1 / rx;
  for (let i = 0; i < n; i++) {
    const t = ((i + rng.uniform(-0.35, 0.35)) / n) * 2 * Math.PI;
    const r = rng.uniform(0.45, 1);
    pts.push([r * rx * Math.cos(t), r * ry * Math.sin(t)]);
  }
  return pts;
}

/**
 * Draws a region covering a random fraction in [minFraction, maxFraction] of the host
 * crop that fits the donor. Returns null when the donor is too small for even the minimum
 * fraction (the caller picks another donor).
 */
export function drawRegion(rng: Random, kind: RegionKind, lim: RegionLimits): Region | null {
  const { width: W, height: H } = lim;
  const maxW = Math.min(W, lim.maxBoxWidth);
  const maxH = Math.min(H, lim.maxBoxHeight);
  const target = rng.uniform(lim.minFraction, lim.maxFraction) * W * H;
  const minArea = Math.ceil(lim.minFraction * W * H);
  const maxArea = Math.floor(lim.maxFraction * W * H);
  if (maxW * maxH < minArea) return null;
  const mask = new Uint8Array(W * H);
  if (kind === 'rect') {
    // Aspect first, then fit: shrink a side that does not fit and grow the other to keep the area.
    let w = Math.sqrt(target * Math.exp(rng.uniform(Math.log(0.5), Math.log(2))));
    w = Math.min(maxW, Math.max(1, Math.round(w)));
    let h = Math.min(maxH, Math.max(1, Math.round(target / w)));
    w = Math.min(maxW, Math.max(1, Math.round(target / h)));
    if (w * h < minArea) h = Math.min(maxH, Math.ceil(minArea / w));
    if (w * h > maxArea) h = Math.max(1, Math.floor(maxArea / w));
    if (w * h < minArea || w * h > maxArea) return null;
    const x = rng.int(0, W - w);
    const y = rng.int(0, H - h);
    for (let yy = y; yy < y + h; yy++) mask.fill(1, yy * W + x, yy * W + x + w);
    return { kind, bbox: { x, y, width: w, height: h }, points: [[x, y], [x + w, y], [x + w, y + h], [x, y + h]], mask, area: w * h };
  }
  const unit = starOutline(rng, Math.exp(rng.uniform(Math.log(0.5), Math.log(2))));
  let ux0 = Infinity, ux1 = -Infinity, uy0 = Infinity, uy1 = -Infinity;
  for (const [x, y] of unit) {
    ux0 = Math.min(ux0, x);
    ux1 = Math.max(ux1, x);
    uy0 = Math.min(uy0, y);
    uy1 = Math.max(uy1, y);
  }
  // Largest scale whose bbox fits (one pixel of slack for rounding), then bisect the scale for the target area.
  const sMax = Math.min((maxW - 1) / (ux1 - ux0), (maxH - 1) / (uy1 - uy0));
  const place = (s: number, ox: number, oy: number): [number, number][] => unit.map(([x, y]) => [ox + (x - ux0) * s, oy + (y - uy0) * s]);
  let lo = 0;
  let hi = sMax;
  for (let it = 0; it < 24; it++) {
    const mid = (lo + hi) / 2;
    const a = rasterizePolygon(place(mid, 0, 0), W, H, mask);
    if (a < target) lo = mid;
    else hi = mid;
  }
  const s = (lo + hi) / 2;
  const ox = rng.uniform(0, W - (ux1 - ux0) * s - 1);
  const oy = rng.uniform(0, H - (uy1 - uy0) * s - 1);
  const points = place(s, ox, oy).map(([x, y]) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100] as [number, number]);
  const area = rasterizePolygon(points, W, H, mask);
  const bbox = bboxOf(mask, W, H);
  if (area < minArea || area > maxArea || bbox.width > maxW || bbox.height > maxH) return null;
  return { kind, bbox, points, mask, area };
}
