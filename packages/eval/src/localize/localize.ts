/**
 * Zero-shot splice localization, the official procedure (exif-as-language's EXIF_SC.predict)
 * on the GPU, and a faster variant without the 4-D volume:
 *
 *   official  the consistency volume (all-pairs 1 - cosine with overlapping-patch voting) ->
 *             mean shift over its rows gives the heat map (the mode row), normalized cuts on
 *             1 - volume gives the mask, PCA-3 of the features gives the picture, the volume's
 *             mean is the detection score.
 *   fast      clusters the embeddings themselves: mean shift over the (unit) embeddings finds
 *             the dominant mode, each patch's heat is its cosine dissimilarity to that mode,
 *             normalized cuts on the patch affinity gives the mask; both voted onto the same
 *             cell grid. O(n^2 dim) instead of O(cells^3).
 * Maps are upsampled to the image bilinearly (OpenCV geometry).
 */
import { reduceAxis, type Gpu } from '@exif-lang/kernels';
import type { RgbImage } from '@exif-lang/data';
import { cellCount, patchCount, patchGrid, type PatchGrid } from './grid.ts';
import type { FeatureExtractor, Localization, PhaseTimes } from './types.ts';
import { cosineDissimilarity, consistencyVolume, l2NormalizeRows, voteOntoCells } from './volume.ts';
import { meanShiftMode, spectralBipartition, type MeanShiftOptions } from './clustering.ts';
import { pcaCells } from './pca.ts';
import { resizeBilinear } from './upsample.ts';

export type LocalizeMethod = 'official' | 'fast';
export const LOCALIZE_METHODS: readonly LocalizeMethod[] = ['official', 'fast'];

export interface LocalizeOptions {
  method?: LocalizeMethod;
  /** patches along the longer side (official: 30) */
  perSide?: number;
  meanShift?: MeanShiftOptions;
  /** names the image in errors */
  name?: string;
}

class Clock {
  private last = performance.now();
  readonly times: PhaseTimes = {};
  lap(phase: keyof PhaseTimes): void {
    const now = performance.now();
    this.times[phase] = (this.times[phase] ?? 0) + (now - this.last);
    this.last = now;
  }
}

async function meanOf(gpu: Gpu, buf: import('@exif-lang/kernels').GpuBuffer, n: number): Promise<number> {
  const s = reduceAxis(gpu, 'sum', buf, 1, n, 1);
  const v = (await gpu.readF32(s))[0];
  s.release();
  return v / n;
}

function checkFits(gpu: Gpu, g: PatchGrid, method: LocalizeMethod, name: string): void {
  const m = method === 'official' ? cellCount(g) : patchCount(g);
  // The largest buffers are m x m floats (the volume and its Gram matrix), and on the way the
  // voting passes hold [cellRows, cellCols, rows, cols]-sized partial sums.
  const bytes = m * m * 4;
  const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
  if (bytes > limit) {
    throw new Error(
      `${name}: the ${g.width}x${g.height} image gives a ${g.cellRows}x${g.cellCols} voting grid (patch ${g.patch}, stride ${g.stride}): ` +
        `its ${m}x${m} matrices need ${(bytes / 2 ** 20).toFixed(0)} MiB, over this device's ${(limit / 2 ** 20).toFixed(0)} MiB per buffer; ` +
        `use --method fast or a larger image`,
    );
  }
}

/** Localization of precomputed features ([rows * cols, dim], raster order) on a grid. */
export async function localizeFeatures(gpu: Gpu, features: Float32Array, dim: number, g: PatchGrid, opts: LocalizeOptions = {}): Promise<Localization> {
  const method = opts.method ?? 'official';
  const n = patchCount(g);
  if (features.length < n * dim) throw new Error(`${opts.name ?? 'image'}: ${features.length} feature values for ${n} patches of dim ${dim}`);
  checkFits(gpu, g, method, opts.name ?? 'image');
  const clock = new Clock();
  const cells = cellCount(g);
  const unit = l2NormalizeRows(features, n, dim);
  const unitBuf = gpu.upload(unit, 'unit features');
  const dis = cosineDissimilarity(gpu, unitBuf, n, dim);
  let score: number;
  let heatCells: Float32Array;
  let maskCells: Uint8Array;
  try {
    if (method === 'official') {
      const vol = consistencyVolume(gpu, dis, g);
      try {
        score = await meanOf(gpu, vol, cells * cells);
        clock.lap('volume');
        heatCells = (await meanShiftMode(gpu, vol, cells, cells, opts.meanShift)).mode;
        clock.lap('meanshift');
        maskCells = await spectralBipartition(gpu, vol, cells);
        clock.lap('ncuts');
      } finally {
        vol.release();
      }
    } else {
      score = await meanOf(gpu, dis, n * n);
      clock.lap('volume');
      const { mode } = await meanShiftMode(gpu, unitBuf, n, dim, opts.meanShift);
      const modeUnit = l2NormalizeRows(mode, 1, dim);
      const heat = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let c = 0;
        for (let k = 0; k < dim; k++) c += unit[i * dim + k] * modeUnit[k];
        heat[i] = 1 - c;
      }
      heatCells = await voteHost(gpu, heat, g);
      clock.lap('meanshift');
      const labels = await spectralBipartition(gpu, dis, n);
      const share = await voteHost(gpu, Float32Array.from(labels), g);
      maskCells = Uint8Array.from(share, (v) => (v >= 0.5 ? 1 : 0));
      clock.lap('ncuts');
    }
  } finally {
    dis.release();
    unitBuf.release();
  }
  const pca = await pcaCells(gpu, features, dim, g);
  clock.lap('pca');
  const { width: W, height: H } = g;
  const heatmap = resizeBilinear(heatCells, g.cellCols, g.cellRows, W, H);
  const maskUp = resizeBilinear(maskCells, g.cellCols, g.cellRows, W, H);
  const mask = new Uint8Array(maskUp.length);
  for (let i = 0; i < mask.length; i++) mask[i] = maskUp[i] >= 0.5 ? 1 : 0;
  // Uint8Array assignment truncates: add 0.5 to round the non-negative PCA values.
  const pcaUp = resizeBilinear(pca, g.cellCols, g.cellRows, W, H, 3);
  const pcaBytes = new Uint8Array(pcaUp.length);
  for (let i = 0; i < pcaBytes.length; i++) pcaBytes[i] = pcaUp[i] + 0.5;
  clock.lap('upsample');
  return { grid: g, score, heatmap, mask, pca: pcaBytes, cells: { heatmap: heatCells, mask: maskCells, pca }, timings: clock.times };
}

async function voteHost(gpu: Gpu, perPatch: Float32Array, g: PatchGrid): Promise<Float32Array> {
  const b = gpu.upload(perPatch, 'per-patch values');
  const out = voteOntoCells(gpu, b, g, 1);
  b.release();
  const v = (await gpu.readF32(out)).slice(0, cellCount(g));
  out.release();
  return v;
}

/** Features of the image's grid from the extractor, then the localization. */
export async function localize(gpu: Gpu, extractor: FeatureExtractor, image: RgbImage, opts: LocalizeOptions = {}): Promise<Localization> {
  const g = patchGrid(image.width, image.height, extractor.patchSize, { perSide: opts.perSide, name: opts.name });
  checkFits(gpu, g, opts.method ?? 'official', opts.name ?? 'image');
  const t0 = performance.now();
  const { data, dim } = await extractor.features(image, g);
  const embed = performance.now() - t0;
  const out = await localizeFeatures(gpu, data, dim, g, opts);
  out.timings = { embed, ...out.timings };
  return out;
}
