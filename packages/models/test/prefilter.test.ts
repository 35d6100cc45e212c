/**
 * The fixed high-pass prefilter: its output against a float64 reference (each channel minus its
 * k x k mean, times the gain, unpadded), its place in the canonical state dict (a buffer, OIHW,
 * never a parameter), and a checkpoint round trip that rebuilds the same tower from the tensors.
 */
import { describe, it, beforeAll, afterAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getGpu, type Gpu, testing } from '@exif-lang/kernels';
import {
  ExifClip, PREFILTER_GAIN, Prefilter, canonicalShapes, keep, loadModel, noGrad, prefilterWeightOIHW, scope, tensor, toModelConfig,
  writeSafetensors, type ExifClipConfig, type PrefilterKind,
} from '../src/index.ts';

let gpu: Gpu;
let tmp: string;
beforeAll(async () => {
  gpu = await getGpu();
  tmp = mkdtempSync(join(tmpdir(), 'exiflang-prefilter-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** float64: out[n, y, x, c] = GAIN * (x[n, y + r, x + r, c] - mean of the k x k window at (y, x)), r = k >> 1. */
function reference(x: Float32Array, n: number, h: number, w: number, k: number): Float64Array {
  const oh = h - k + 1;
  const ow = w - k + 1;
  const out = new Float64Array(n * oh * ow * 3);
  const at = (b: number, y: number, xx: number, c: number) => x[((b * h + y) * w + xx) * 3 + c];
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++)
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) s += at(b, y + dy, xx + dx, c);
          out[((b * oh + y) * ow + xx) * 3 + c] = PREFILTER_GAIN * (at(b, y + (k >> 1), xx + (k >> 1), c) - s / (k * k));
        }
  return out;
}

const TOWER: ExifClipConfig = {
  image: { block: 'basic', layers: [1, 1, 1, 1], stem: 8, widths: [8, 8, 16, 16], embed: 16, prefilter: 'highpass3' },
  text: { vocab: 64, dim: 16, maxPositions: 8, layers: 1, heads: 2, ffn: 32, dropout: 0, attentionDropout: 0 },
};

describe('prefilter', () => {
  for (const [kind, k] of [['highpass3', 3], ['highpass5', 5]] as [PrefilterKind, number][]) {
    it(`${kind}: each channel minus its ${k}x${k} mean, unpadded, equals the float64 reference`, async () => {
      const [n, h, w] = [2, 11, 9];
      const x = testing.randUniform(n * h * w * 3, 7 + k);
      const p = new Prefilter(gpu, kind);
      const input = tensor(gpu, x, [n, h, w, 3]);
      const y = p.forward(input);
      expect(y.shape).toEqual([n, h - k + 1, w - k + 1, 3]);
      const got = await y.data();
      const want = reference(x, n, h, w, k);
      let err = 0;
      for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
      // inputs in [-1, 1], k^2 products summed in float32: a few ulps of values up to ~8
      expect(err).toBeLessThan(1e-5);
      // a constant image has no residual at all: the filter removes what the content is made of
      const flat = p.forward(tensor(gpu, new Float32Array(h * w * 3).fill(0.7), [1, h, w, 3]));
      expect(Math.max(...Array.from(await flat.data(), Math.abs))).toBeLessThan(1e-6);
      for (const t of [input, y, flat]) t.dispose();
      p.dispose();
    });
  }

  it('is a buffer in the canonical state dict (OIHW, not trained) and a checkpoint rebuilds the same tower', async () => {
    const m = new ExifClip(gpu, { ...TOWER, seed: 3 });
    expect(m.parameters().includes(m.image.prefilter!.weight)).toBe(false);
    const sd = await m.stateDict();
    const w = sd.get('image.prefilter.weight')!;
    expect(w.shape).toEqual([3, 3, 3, 3]);
    expect(Array.from(w.data as Float32Array)).toEqual(Array.from(prefilterWeightOIHW('highpass3')));
    const spec = canonicalShapes(toModelConfig(m.config));
    expect(spec.get('image.prefilter.weight')).toEqual([3, 3, 3, 3]);
    expect([...sd.keys()].filter((key) => key !== 'logit_scale').sort()).toEqual([...spec.keys()].filter((key) => key !== 'logit_scale').sort());

    const file = join(tmp, 'prefiltered.safetensors');
    writeSafetensors(file, sd, { config: JSON.stringify({ text: { heads: 2 } }) });
    const loaded = loadModel(gpu, file);
    expect(loaded.config.image?.prefilterKernel).toBe(3);
    expect(loaded.model.image.prefilter?.kind).toBe('highpass3');
    const images = tensor(gpu, testing.randUniform(2 * 20 * 20 * 3, 5), [2, 20, 20, 3]);
    const embed = async (model: ExifClip) => {
      model.eval();
      const e = noGrad(() => scope(() => keep(model.encodeImage(images))));
      const v = Array.from(await e.data());
      e.dispose();
      return v;
    };
    expect(await embed(loaded.model)).toEqual(await embed(m));
    // without the prefilter the same weights give another embedding: the filter is in the path
    const plain = new ExifClip(gpu, { ...TOWER, image: { ...TOWER.image, prefilter: null }, seed: 3 });
    plain.loadStateDict(new Map([...sd].filter(([key]) => key !== 'image.prefilter.weight')));
    const a = await embed(plain);
    const b = await embed(m);
    expect(a.some((v, i) => Math.abs(v - b[i]) > 1e-3)).toBe(true);
    images.dispose();
    for (const x of [m, loaded.model, plain]) x.dispose();
  });
});
