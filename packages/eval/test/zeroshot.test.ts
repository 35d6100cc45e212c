// Zero-shot retrieval and the consistency check: scoring on hand-built embeddings (known
// answers), and the whole path on a .pth in the official layout made by PyTorch
// (scripts/probe/make_probe_pth.py): embeddings equal PyTorch's, texts from the data package.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { ExifTokenizer, type ExifValue, type RgbImage } from '@exif-lang/data';
import { openExtractor } from '../src/localize/checkpoint.ts';
import { checkpointTextSettings } from '../src/zeroshot/checkpoint-text.ts';
import { embedTexts } from '../src/zeroshot/text-embed.ts';
import { imageEmbedding, l2NormalizeHost, rankOf } from '../src/zeroshot/similarity.ts';
import { zeroShotScores } from '../src/zeroshot/retrieval.ts';
import { rankCameras, rankClaim, swappedExifAuc } from '../src/zeroshot/consistency.ts';
import { fieldCandidates, fieldText } from '../src/zeroshot/field-texts.ts';
import type { ImageFeatures } from '../src/probe/features.ts';

const FIX = join(import.meta.dirname, 'fixtures', 'probe-pth');
const expected = JSON.parse(readFileSync(join(FIX, 'expect.json'), 'utf8')) as {
  patch: number; image: number[]; texts: Record<string, { ids: number[]; embedding: number[] }>;
};

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const feat = (rows: number[][]): ImageFeatures => {
  const dim = rows[0].length;
  const patches = Float32Array.from(rows.flat());
  const mean = new Float32Array(dim);
  rows.forEach((r) => r.forEach((v, d) => { mean[d] += v / rows.length; }));
  return { patches, mean, dim, count: rows.length };
};

describe('scoring', () => {
  it('rankOf counts ties against the target', () => {
    expect(rankOf([0.5, 0.9, 0.5], 0, 3, 0)).toBe(3);
    expect(rankOf([0.5, 0.9, 0.5], 0, 3, 1)).toBe(1);
  });

  it('zero-shot top-k on axis-aligned texts', () => {
    const texts = l2NormalizeHost(Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), 3);
    // image 0: both patches near text 0; image 1: one patch near 1, one near 2 (mean closer to 1)
    const f = [feat([[1, 0.1, 0], [2, 0, 0.2]]), feat([[0, 1, 0.1], [0, 0.3, 0.5]]), feat([[0, 0, 1], [0, 0, 1]])];
    const s = zeroShotScores(f, Int32Array.from([0, 1, -1]), texts);
    expect(s.images).toBe(2);
    expect(s.patches).toBe(4);
    expect(s.patch.top1).toBeCloseTo(3 / 4, 12);
    expect(s.image.top1).toBe(1);
    expect(s.chance.top1).toBeCloseTo(1 / 3, 12);
    expect(s.chance.top5).toBe(1);
    expect(imageEmbedding(Float32Array.from([3, 0, 0, 0, 4, 0]), 2, 3)[0]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('consistency: own text first gives AUC 1, pixels of another camera give AUC 0', () => {
    const texts = l2NormalizeHost(Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.9, 0.1, 0]), 3);
    const camera = ['a', 'b', 'c', 'a'];
    const own = [0, 1, 2];
    const match = swappedExifAuc(texts.subarray(0, 9), texts, own, camera, 1);
    expect(match.auc).toBe(1);
    expect(match.positives).toBe(3);
    expect(match.medianOwnRank).toBe(1);
    // two cameras, each image looking like the other's text: every swap beats the own text
    const two = Float32Array.from([1, 0, 0, 1]);
    const swappedLooks = Float32Array.from([0, 1, 1, 0]);
    const worst = swappedExifAuc(swappedLooks, two, [0, 1], ['a', 'b'], 1);
    expect(worst.auc).toBe(0);
    expect(worst.medianOwnRank).toBe(2);
    const r = rankClaim(texts.subarray(0, 3), texts, 3);
    expect(r.rank).toBe(2);
    expect(r.score).toBeCloseTo(2 / 3, 12);
    expect(rankCameras(texts.subarray(0, 3), texts, camera).map((c) => c.camera)).toEqual(['a', 'b', 'c']);
  });

  it('field texts are the data package\'s EXIF text of Make / Make + Model', () => {
    const imgs: { exif: Record<string, ExifValue>; text: string }[] = [{ exif: { Make: 'Canon', Model: 'Canon EOS 40D' }, text: 'x' }, { exif: { Make: 'Canon', Model: 'Canon EOS 5D' }, text: 'y' }, { exif: {}, text: '' }];
    expect(fieldText(imgs[0], 'model')).toBe('Make: Canon, Model: Canon EOS 40D');
    const make = fieldCandidates(imgs, 'make');
    expect(make.texts).toEqual(['Make: Canon']);
    expect([...make.labels]).toEqual([0, 0, -1]);
    expect(fieldCandidates(imgs, 'model').texts.length).toBe(2);
    expect([...fieldCandidates(imgs, 'text').labels]).toEqual([0, 1, -1]);
  });
});

describe('official .pth layout (made by PyTorch)', () => {
  it('image and text embeddings equal PyTorch\'s; texts ranked as the check does', async () => {
    const pth = join(FIX, 'model.pth');
    const opened = openExtractor(gpu, pth, { patchSize: expected.patch, textHeads: 2 }); // a .pth does not record heads (dim 4 is no multiple of 64)
    try {
      expect(opened.loaded.layout).not.toBe('canonical');
      const settings = checkpointTextSettings(pth, opened.model);
      expect(settings.from).toBe('defaults');
      expect(settings.maxTokens).toBe(64);
      const p = expected.patch;
      const data = new Uint8Array(p * p * 3);
      for (let y = 0; y < p; y++) for (let x = 0; x < p; x++) for (let c = 0; c < 3; c++) data[(y * p + x) * 3 + c] = (7 * x + 13 * y + 50 * c) % 256;
      const image: RgbImage = { width: p, height: p, data };
      const grid = { width: p, height: p, patch: p, stride: p, rows: 1, cols: 1, spread: 1, cellRows: 1, cellCols: 1 };
      const f = await opened.extractor.features(image, grid);
      const tol = 1e-4 * Math.max(...expected.image.map(Math.abs));
      expected.image.forEach((v, d) => expect(Math.abs(f.data[d] - v)).toBeLessThan(tol));

      const tokenizer = new ExifTokenizer({ maxLength: settings.maxTokens });
      const names = Object.keys(expected.texts);
      for (const n of names) expect(tokenizer.encode(n).ids).toEqual(expected.texts[n].ids);
      const together = await embedTexts(opened.model, tokenizer, names); // padded to the longest: the mask must hide the pads
      const dim = opened.model.embedDim;
      names.forEach((n, i) => {
        const want = l2NormalizeHost(Float32Array.from(expected.texts[n].embedding), dim);
        for (let d = 0; d < dim; d++) expect(Math.abs(together[i * dim + d] - want[d])).toBeLessThan(1e-4);
      });
      const img = imageEmbedding(f.data, 1, dim);
      const r = rankClaim(img, together, 0);
      expect(r.candidates).toBe(2);
      expect([1, 2]).toContain(r.rank);
    } finally {
      opened.dispose();
    }
  });
});
