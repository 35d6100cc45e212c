/**
 * Demosaicing: three methods with visibly different interpolation traces, so cameras that
 * differ only in the method still leave distinguishable periodic correlations.
 *
 * - bilinear: each missing value is the mean of the same-colour neighbours in the 3x3 window.
 * - malvar: Malvar-He-Cutler (2004) gradient-corrected linear 5x5 filters.
 * - edge: Hamilton-Adams-style edge-directed green (interpolate along the smaller
 *   gradient, with a Laplacian correction), then bilinear interpolation of R-G and B-G.
 *
 * The mosaic is padded by reflection (x -> -x keeps the CFA parity), so the inner loops run
 * without bounds checks.
 */
import { cfaTable, type CfaPattern } from './cfa.ts';
import { newPlanes, type Planes } from './planes.ts';

export type DemosaicMethod = 'bilinear' | 'malvar' | 'edge';
export const DEMOSAIC_METHODS: readonly DemosaicMethod[] = ['bilinear', 'malvar', 'edge'];

const PAD = 2;

function reflect(i: number, n: number): number {
  if (i < 0) return -i;
  if (i >= n) return 2 * (n - 1) - i;
  return i;
}

interface Padded {
  data: Float32Array;
  stride: number;
}

function pad(m: Float32Array, W: number, H: number): Padded {
  const stride = W + 2 * PAD;
  const data = new Float32Array(stride * (H + 2 * PAD));
  for (let y = -PAD; y < H + PAD; y++) {
    const sy = reflect(y, H);
    for (let x = -PAD; x < W + PAD; x++) data[(y + PAD) * stride + x + PAD] = m[sy * W + reflect(x, W)];
  }
  return { data, stride };
}

export function demosaic(mosaic: Float32Array, W: number, H: number, pattern: CfaPattern, method: DemosaicMethod): Planes {
  if (W < 3 || H < 3) throw new Error(`demosaic: image ${W}x${H} is too small`);
  switch (method) {
    case 'bilinear':
      return bilinear(mosaic, W, H, cfaTable(pattern));
    case 'malvar':
      return malvar(mosaic, W, H, cfaTable(pattern));
    case 'edge':
      return edgeDirected(mosaic, W, H, cfaTable(pattern));
  }
}

/** Mean of the same-channel samples of `src` in the 3x3 window around (x, y) (the sample itself when it is that channel). */
function bilinear(mosaic: Float32Array, W: number, H: number, table: Uint8Array): Planes {
  const out = newPlanes(W, H, 3);
  const { data, stride } = pad(mosaic, W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const here = table[(x & 1) | ((y & 1) << 1)];
      const p = (y + PAD) * stride + x + PAD;
      for (let c = 0; c < 3; c++) {
        if (c === here) {
          out.c[c][i] = data[p];
          continue;
        }
        let s = 0;
        let n = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            if (table[((x + dx) & 1) | (((y + dy) & 1) << 1)] === c) {
              s += data[p + dy * stride + dx];
              n++;
            }
          }
        }
        out.c[c][i] = s / n;
      }
    }
  }
  return out;
}

/** Malvar-He-Cutler 5x5 kernels (x8), written as [dy, dx, weight] taps. */
const G_AT_RB: number[][] = [[0, 0, 4], [-1, 0, 2], [1, 0, 2], [0, -1, 2], [0, 1, 2], [-2, 0, -1], [2, 0, -1], [0, -2, -1], [0, 2, -1]];
/** R (or B) at a green site whose horizontal neighbours are R (or B). */
const C_AT_G_ROW: number[][] = [[0, 0, 5], [0, -1, 4], [0, 1, 4], [0, -2, -1], [0, 2, -1], [-1, -1, -1], [-1, 1, -1], [1, -1, -1], [1, 1, -1], [-2, 0, 0.5], [2, 0, 0.5]];
/** R (or B) at a green site whose vertical neighbours are R (or B). */
const C_AT_G_COL: number[][] = C_AT_G_ROW.map(([dy, dx, w]) => [dx, dy, w]);
/** R at B sites and B at R sites. */
const C_AT_OPP: number[][] = [[0, 0, 6], [-1, -1, 2], [-1, 1, 2], [1, -1, 2], [1, 1, 2], [-2, 0, -1.5], [2, 0, -1.5], [0, -2, -1.5], [0, 2, -1.5]];

function malvar(mosaic: Float32Array, W: number, H: number, table: Uint8Array): Planes {
  const out = newPlanes(W, H, 3);
  const { data, stride } = pad(mosaic, W, H);
  const off = (taps: number[][]): [Int32Array, Float32Array] => [
    Int32Array.from(taps.map(([dy, dx]) => dy * stride + dx)),
    Float32Array.from(taps.map(([, , w]) => w / 8)),
  ];
  const kG = off(G_AT_RB);
  const kRow = off(C_AT_G_ROW);
  const kCol = off(C_AT_G_COL);
  const kOpp = off(C_AT_OPP);
  const apply = (k: [Int32Array, Float32Array], p: number): number => {
    let s = 0;
    for (let t = 0; t < k[0].length; t++) s += k[1][t] * data[p + k[0][t]];
    return s;
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const here = table[(x & 1) | ((y & 1) << 1)];
      const p = (y + PAD) * stride + x + PAD;
      const v = data[p];
      if (here === 1) {
        // Which colour sits beside this green horizontally?
        const horiz = table[((x + 1) & 1) | ((y & 1) << 1)];
        out.c[1][i] = v;
        out.c[horiz][i] = apply(kRow, p);
        out.c[2 - horiz][i] = apply(kCol, p);
      } else {
        out.c[here][i] = v;
        out.c[1][i] = apply(kG, p);
        out.c[2 - here][i] = apply(kOpp, p);
      }
    }
  }
  return out;
}

function edgeDirected(mosaic: Float32Array, W: number, H: number, table: Uint8Array): Planes {
  const out = newPlanes(W, H, 3);
  const { data, stride } = pad(mosaic, W, H);
  const G = out.c[1];
  // Pass 1: green everywhere.
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const p = (y + PAD) * stride + x + PAD;
      const c = data[p];
      if (table[(x & 1) | ((y & 1) << 1)] === 1) {
        G[i] = c;
        continue;
      }
      const lapH = 2 * c - data[p - 2] - data[p + 2];
      const lapV = 2 * c - data[p - 2 * stride] - data[p + 2 * stride];
      const dH = Math.abs(data[p - 1] - data[p + 1]) + Math.abs(lapH);
      const dV = Math.abs(data[p - stride] - data[p + stride]) + Math.abs(lapV);
      const gH = (data[p - 1] + data[p + 1]) / 2 + lapH / 4;
      const gV = (data[p - stride] + data[p + stride]) / 2 + lapV / 4;
      G[i] = dH < dV ? gH : dV < dH ? gV : (gH + gV) / 2;
    }
  }
  // Pass 2: colour differences C - G at C sites, interpolated like bilinear, plus G.
  const diff = new Float32Array(W * H);
  for (const c of [0, 2]) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        diff[i] = table[(x & 1) | ((y & 1) << 1)] === c ? mosaic[i] - G[i] : 0;
      }
    }
    const pd = pad(diff, W, H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (table[(x & 1) | ((y & 1) << 1)] === c) {
          out.c[c][i] = mosaic[i];
          continue;
        }
        const p = (y + PAD) * pd.stride + x + PAD;
        let s = 0;
        let n = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            if (table[((x + dx) & 1) | (((y + dy) & 1) << 1)] === c) {
              s += pd.data[p + dy * pd.stride + dx];
              n++;
            }
          }
        }
        out.c[c][i] = G[i] + s / n;
      }
    }
  }
  return out;
}
