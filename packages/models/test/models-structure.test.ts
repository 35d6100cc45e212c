import { describe, it, beforeAll, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getGpu, type Gpu, testing } from '@exif-lang/kernels';
import {
  ExifClip, ResNet, backward, canonicalShapes, convertCheckpoint, imageShapes, keep, loadModel, noGrad, resnetConfig, scope,
  tensor, toModelConfig, writeSafetensors, nn, CLIP_INIT_LOGIT_SCALE, type ExifClipConfig, type TensorMap,
} from '../src/index.ts';

let gpu: Gpu;
let tmp: string;
beforeAll(async () => {
  gpu = await getGpu();
  tmp = mkdtempSync(join(tmpdir(), 'exiflang-models-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PTH = fileURLToPath(new URL('./fixtures/parity-small/model.pth', import.meta.url));

/** The committed parity fixture's structure (scripts/parity/README.md, preset small). */
const SMALL: ExifClipConfig = {
  image: { block: 'bottleneck', layers: [1, 1, 1, 1], stem: 8, widths: [4, 8, 12, 16], embed: 32 },
  text: { vocab: 128, dim: 32, maxPositions: 32, layers: 2, heads: 2, ffn: 48, dropout: 0, attentionDropout: 0 },
};

const listing = (sd: TensorMap) => [...sd].map(([k, t]) => `${k} [${t.shape.join(',')}] ${t.dtype}`);

function expectedListing(spec: Map<string, number[]>): string[] {
  return [...spec].map(([k, s]) => `${k} [${s.join(',')}] ${k.endsWith('num_batches_tracked') ? 'I64' : 'F32'}`);
}

describe('state dicts are canonical', () => {
  it('EXIF-CLIP (fixture structure): names, order, shapes, dtypes = canonicalShapes(config)', async () => {
    for (const learned of [false, true]) {
      const m = new ExifClip(gpu, { ...SMALL, logitScale: { learned } });
      // Same order as canonical.ts except logit_scale: PyTorch lists a module's own tensors before its children's.
      const last = (l: string[]) => [...l.filter((k) => !k.startsWith('logit_scale')), ...l.filter((k) => k.startsWith('logit_scale'))];
      expect(last(listing(await m.stateDict()))).toEqual(expectedListing(canonicalShapes(toModelConfig(m.config))));
      // logit_scale: ln(100) fixed (a buffer, not trained) or ln(1/0.07) learned (a parameter)
      expect(await m.logitScale.item()).toBeCloseTo(Math.log(learned ? CLIP_INIT_LOGIT_SCALE : 100), 5);
      expect(m.parameters().includes(m.logitScale)).toBe(learned);
      m.dispose();
    }
  });

  for (const [name, mult] of [['resnet18', 1 / 8], ['resnet34', 1 / 16], ['resnet50', 1 / 16]] as const) {
    it(`${name} (width x${mult}): torchvision names and shapes`, async () => {
      const cfg = resnetConfig(name, 24, mult);
      const m = new ResNet(gpu, cfg);
      const features = cfg.widths[3] * (cfg.block === 'bottleneck' ? 4 : 1);
      const spec = new Map([...imageShapes({ ...cfg, layers: [...cfg.layers], widths: [...cfg.widths], features, name: null })].map(([k, s]) => [k.slice('image.'.length), s]));
      expect(listing(await m.stateDict())).toEqual(expectedListing(spec));
      m.dispose();
    });
  }

  it('full-size ResNet-50 + DistilBERT-base configs have the paper sizes (no allocation)', () => {
    const shapes = canonicalShapes(toModelConfig({
      image: resnetConfig('resnet50', 768),
      text: { vocab: 30522, dim: 768, maxPositions: 512, layers: 6, heads: 12, ffn: 3072 },
    }));
    let params = 0;
    for (const [k, s] of shapes) if (!/running_|num_batches|logit_scale/.test(k)) params += s.reduce((p, d) => p * d, 1);
    // torchvision resnet50 without its 1000-way fc (23,508,032) + fc 2048->768 + DistilBERT-base (66,362,880)
    expect(params).toBe(23_508_032 + 2048 * 768 + 768 + 66_362_880);
  });
});

describe('initialisation', () => {
  it('is deterministic per seed and differs across seeds', async () => {
    const sds = await Promise.all([1, 1, 2].map(async (seed) => {
      const m = new ExifClip(gpu, { ...SMALL, seed });
      const sd = await m.stateDict();
      m.dispose();
      return sd;
    }));
    const w = (sd: TensorMap, k: string) => Array.from(sd.get(k)!.data as Float32Array);
    for (const k of sds[0].keys()) if (sds[0].get(k)!.dtype === 'F32') expect(w(sds[1], k), k).toEqual(w(sds[0], k));
    expect(w(sds[2], 'image.layer2.0.conv2.weight')).not.toEqual(w(sds[0], 'image.layer2.0.conv2.weight'));
    // HF init: text linears N(0, 0.02), PAD row zero; torchvision: BN weight 1, bias 0
    const q = w(sds[0], 'text.transformer.layer.1.attention.q_lin.weight');
    expect(Math.sqrt(q.reduce((s, v) => s + v * v, 0) / q.length)).toBeCloseTo(0.02, 2);
    expect(w(sds[0], 'text.embeddings.word_embeddings.weight').slice(0, 32).every((v) => v === 0)).toBe(true);
    expect(w(sds[0], 'image.layer1.0.bn3.weight').every((v) => v === 1)).toBe(true);
  });
});

describe('forward and backward', () => {
  it('loss at an odd patch size reaches every parameter, the learned scale included; bitwise deterministic', async () => {
    const m = new ExifClip(gpu, { ...SMALL, text: { ...SMALL.text, dropout: 0.1, attentionDropout: 0.1 }, logitScale: { learned: true } });
    const B = 3;
    const T = 6;
    const images = tensor(gpu, testing.randUniform(B * 37 * 37 * 3, 1), [B, 37, 37, 3]);
    const ids = tensor(gpu, Uint32Array.from({ length: B * T }, (_, i) => (i % T === 0 ? 101 : 1 + (i * 7) % 120)), [B, T], 'u32');
    const mask = tensor(gpu, Uint32Array.from({ length: B * T }, (_, i) => Number(i % T < T - (i / T | 0))), [B, T], 'u32');
    const drops = [...m.modules()].map(([, x]) => x).filter((x): x is nn.Dropout => x instanceof nn.Dropout);
    const step = async () => {
      for (const d of drops) d.calls = 0; // the same dropout masks both times
      const r = m.loss(images, ids, mask);
      expect(r.loss.shape).toEqual([]);
      const acc = await r.accImage.item();
      expect(acc >= 0 && acc <= 1).toBe(true);
      backward(r.loss);
      const loss = await r.loss.item();
      for (const t of [r.loss, r.accImage, r.accText]) t.dispose();
      const grads = await m.gradDict();
      m.zeroGrad();
      return { loss, grads };
    };
    const a = await step();
    for (const [name] of m.namedParameters()) expect(a.grads.has(name), name).toBe(true);
    expect(Math.abs(a.grads.get('logit_scale')!.data[0] as number)).toBeGreaterThan(0);
    const b = await step();
    expect(b.loss).toBe(a.loss);
    for (const [k, g] of a.grads) expect(Array.from(b.grads.get(k)!.data as Float32Array), k).toEqual(Array.from(g.data as Float32Array));
    for (const t of [images, ids, mask]) t.dispose();
    m.dispose();
  });
});

describe('loadModel', () => {
  it('official .pth, converted safetensors and our own state dict give the same model', async () => {
    const a = loadModel(gpu, PTH, { textHeads: 2 });
    expect(a.layout).toBe('official');
    expect(a.model.training).toBe(false);
    expect(a.ignored).toContain('model.text_projection');
    const conv = join(tmp, 'converted.safetensors');
    convertCheckpoint(PTH, conv, { textHeads: 2 });
    const b = loadModel(gpu, conv); // heads from the metadata
    const own = join(tmp, 'own.safetensors');
    writeSafetensors(own, await a.model.stateDict(), { config: JSON.stringify(a.config) });
    const c = loadModel(gpu, own);
    // The same files as bytes (what a web page holds): the format is sniffed, not named.
    const d = loadModel(gpu, new Uint8Array(readFileSync(own)));
    const e = loadModel(gpu, new Uint8Array(readFileSync(PTH)), { textHeads: 2, name: 'official.pth' });
    expect(e.layout).toBe('official');
    const images = tensor(gpu, testing.randUniform(2 * 40 * 40 * 3, 3), [2, 40, 40, 3]);
    const ids = tensor(gpu, Uint32Array.from([101, 5, 6, 102, 101, 9, 102, 0]), [2, 4], 'u32');
    const mask = tensor(gpu, Uint32Array.from([1, 1, 1, 1, 1, 1, 1, 0]), [2, 4], 'u32');
    const outs = await Promise.all([a, b, c, d, e].map(async ({ model }) => {
      const e = noGrad(() => scope(() => [keep(model.encodeImage(images)), keep(model.encodeText(ids, mask))]));
      const v = [Array.from(await e[0].data()), Array.from(await e[1].data())];
      e.forEach((t) => t.dispose());
      model.dispose();
      return v;
    }));
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
    expect(outs[3]).toEqual(outs[0]);
    expect(outs[4]).toEqual(outs[0]);
    expect(() => loadModel(gpu, new Uint8Array(16), { name: 'junk.bin' })).toThrow(/junk\.bin/);
    for (const t of [images, ids, mask]) t.dispose();
    expect(() => loadModel(gpu, PTH, { textHeads: 5 })).toThrow(/not divisible|heads/);
  });
});
