/**
 * Parity with the official post-processing (exif-as-language's EXIF_SC.predict, run in
 * numpy/scipy/sklearn by scripts/parity/official_localize.py on the committed features):
 * volume, score, mean-shift radius and map, normalized-cut labels (up to a swap) and the PCA
 * picture. Tolerances: float32 GPU arithmetic against the official float32/float64 mix.
 */
import { describe, it, beforeAll, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { getGpu, testing, type Gpu } from '@exif-lang/kernels';
import {
  cellCount, consistencyVolume, cosineDissimilarity, l2NormalizeRows, localizeFeatures, meanShiftMode, patchCount, patchGrid, pcaCells,
  spectralBipartition, resizeBilinear, type PatchGrid,
} from '../src/index.ts';

interface Case {
  name: string; width: number; height: number; patch: number; perSide: number; dim: number;
  splice: { x: number; y: number; w: number; h: number };
  features: number[];
  expected: { grid: PatchGrid & { perSide: number }; score: number; radius: number; volume_mean_rows: number[]; ms: number[]; ncuts: number[]; pca: number[]; volume?: number[] };
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/localize-official.json', import.meta.url), 'utf8')) as { cases: Case[] };

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

function gridOf(c: Case): PatchGrid {
  return patchGrid(c.width, c.height, c.patch, { perSide: c.perSide });
}

describe.each(fixture.cases.map((c) => [c.name, c] as const))('official parity: %s', (_name, c) => {
  it('grid', () => {
    const { perSide: _p, ...want } = c.expected.grid;
    expect(gridOf(c)).toEqual(want);
  });

  it('volume, score, mean shift, normalized cut', async () => {
    const g = gridOf(c);
    const n = patchCount(g);
    const m = cellCount(g);
    const unit = gpu.upload(l2NormalizeRows(Float32Array.from(c.features), n, c.dim));
    const dis = cosineDissimilarity(gpu, unit, n, c.dim);
    const vol = consistencyVolume(gpu, dis, g);
    const v = (await gpu.readF32(vol)).slice(0, m * m);
    if (c.expected.volume) testing.assertClose(v, c.expected.volume, { atol: 2e-6, rtol: 1e-5, label: 'volume' });
    const rowMeans = Array.from({ length: m }, (_, i) => v.subarray(i * m, (i + 1) * m).reduce((a, b) => a + b, 0) / m);
    testing.assertClose(rowMeans, c.expected.volume_mean_rows, { atol: 2e-6, rtol: 1e-5, label: 'volume row means' });
    expect(v.reduce((a, b) => a + b, 0) / (m * m)).toBeCloseTo(c.expected.score, 5);

    const ms = await meanShiftMode(gpu, vol, m, m);
    // Distances come from the float32 Gram matrix (|a|^2 + |b|^2 - 2ab): a few 1e-5 relative.
    expect(Math.abs(ms.radius - c.expected.radius)).toBeLessThan(3e-5 * c.expected.radius);
    testing.assertClose(ms.mode, c.expected.ms, { atol: 1e-4, rtol: 1e-4, label: 'mean-shift map' });

    const labels = await spectralBipartition(gpu, vol, m);
    const same = labels.reduce((a, l, i) => a + (l === c.expected.ncuts[i] ? 1 : 0), 0);
    expect(Math.max(same, m - same)).toBe(m); // identical up to a label swap
    for (const b of [unit, dis, vol]) b.release();
  });

  it('PCA picture', async () => {
    const g = gridOf(c);
    const pca = await pcaCells(gpu, Float32Array.from(c.features), c.dim, g);
    testing.assertClose(pca, c.expected.pca, { atol: 0.05, rtol: 0, label: 'pca (0..255)' });
  });
});

describe('localizeFeatures', () => {
  const c = fixture.cases[1];
  it('full-resolution maps are the cell maps upsampled; the mask finds the spliced block; fast agrees', async () => {
    const g = gridOf(c);
    const r = await localizeFeatures(gpu, Float32Array.from(c.features), c.dim, g);
    expect(r.heatmap.length).toBe(c.width * c.height);
    expect(r.mask.length).toBe(c.width * c.height);
    expect(r.pca.length).toBe(c.width * c.height * 3);
    testing.assertClose(r.heatmap, resizeBilinear(r.cells.heatmap, g.cellCols, g.cellRows, c.width, c.height), { atol: 0, rtol: 0 });
    // The spliced rectangle (in pixels) is mostly inside the mask and the mask mostly inside it.
    const { x, y, w, h } = c.splice;
    let inside = 0;
    let hits = 0;
    let ones = 0;
    for (let py = 0; py < c.height; py++) for (let px = 0; px < c.width; px++) {
      const m = r.mask[py * c.width + px];
      const t = px >= x && px < x + w && py >= y && py < y + h;
      ones += m;
      if (t) inside++;
      if (t && m) hits++;
    }
    expect(hits / inside).toBeGreaterThan(0.7);
    expect(hits / ones).toBeGreaterThan(0.7);
    expect(r.score).toBeGreaterThan(0);
    const f = await localizeFeatures(gpu, Float32Array.from(c.features), c.dim, g, { method: 'fast' });
    let agree = 0;
    for (let i = 0; i < f.mask.length; i++) agree += f.mask[i] === r.mask[i] ? 1 : 0;
    expect(agree / f.mask.length).toBeGreaterThan(0.9);
  });

  it('an image smaller than a patch is an error naming it', () => {
    expect(() => patchGrid(100, 50, 64, { name: 'tiny.png' })).toThrow(/tiny\.png: 100x50 is smaller than one 64 px patch/);
  });
});
