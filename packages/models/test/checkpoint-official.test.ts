// The official exif-as-language layout -> canonical names, on the parity fixture that
// scripts/parity/make_parity.py builds in that layout; `convert` end to end.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canonicalShapes, compareTensors, convertCheckpoint, FileSource, imageShapes, mapToCanonical, numel, readPth, readSafetensors,
  readSafetensorsHeader, textShapes,
  type ImageConfig, type RawTensor, type TensorMap, type TextConfig,
} from '../src/checkpoint/index.ts';

const DIR = join(import.meta.dirname, 'fixtures', 'parity-small');
const PTH = join(DIR, 'model.pth');
const ROOT = join(import.meta.dirname, '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'exiflang-official-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const source = readPth(PTH).tensors;
const io = readSafetensors(join(DIR, 'io.safetensors'));
const grads = readSafetensors(join(DIR, 'grads.safetensors')).tensors;
const fixtureConfig = JSON.parse(io.metadata.config) as {
  image: { block: 'basic' | 'bottleneck'; layers: number[]; stem: number; widths: number[]; embed: number };
  text: { vocab: number; dim: number; layers: number; heads: number; ffn: number; max_positions: number };
};

const CLIP_LEFTOVERS = [
  'sink_temp', 'model.positional_embedding', 'model.text_projection', 'model.token_embedding.weight',
  'model.ln_final.weight', 'model.ln_final.bias', 'model.transformer.embeddings.position_ids',
];

function bytesOf(t: RawTensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** A copy of the source with keys renamed / dropped / replaced. */
function edited(edit: (k: string, t: RawTensor) => [string, RawTensor] | null): TensorMap {
  const out: TensorMap = new Map();
  for (const [k, t] of source) {
    const r = edit(k, t);
    if (r) out.set(r[0], r[1]);
  }
  return out;
}

describe('official checkpoint mapping', () => {
  const m = mapToCanonical(source, { textHeads: fixtureConfig.text.heads });

  it('finds the state dict under "model", lists the CLIP leftovers as ignored, misses nothing', () => {
    expect(readPth(PTH).path).toEqual(['model']);
    expect(m.layout).toBe('official');
    expect([...m.ignored].sort()).toEqual([...CLIP_LEFTOVERS].sort());
    expect(m.missing).toEqual([]);
    expect(m.unexpected).toEqual([]);
  });

  it('infers the reduced structure from the tensors', () => {
    const c = fixtureConfig;
    expect(m.config.image).toEqual({
      block: c.image.block, layers: c.image.layers, stem: c.image.stem, widths: c.image.widths,
      features: c.image.widths[3] * 4, embed: c.image.embed, name: null, prefilterKernel: null,
    } satisfies ImageConfig);
    expect(m.config.text).toMatchObject({
      vocab: c.text.vocab, dim: c.text.dim, layers: c.text.layers, ffn: c.text.ffn, maxPositions: c.text.max_positions,
      heads: c.text.heads, headsSource: 'given',
    } satisfies Partial<TextConfig>);
    expect(m.config.logitScale).toBeCloseTo(100, 3);
  });

  it('produces exactly the names PyTorch used for gradients and BN buffers, values unchanged', () => {
    const names = new Set([...m.tensors.keys()]);
    const fromPython = new Set([
      ...[...grads.keys()].map((k) => k.slice('grad.'.length)),
      ...[...io.tensors.keys()].filter((k) => k.startsWith('after.')).map((k) => k.slice('after.'.length)),
      'logit_scale',
    ]);
    expect([...names].sort()).toEqual([...fromPython].sort());
    expect([...names]).toEqual([...canonicalShapes(m.config).keys()].filter((k) => names.has(k)));
    for (const [k, t] of m.tensors) {
      const official = k === 'logit_scale' ? 'model.logit_scale' : k.replace(/^image\./, 'model.visual.').replace(/^text\./, 'model.transformer.');
      expect(bytesOf(t).equals(bytesOf(source.get(official)!)), k).toBe(true);
      const g = grads.get(`grad.${k}`);
      if (g) expect(g.shape, k).toEqual(t.shape);
    }
    expect(m.tensors.get('image.bn1.num_batches_tracked')!.dtype).toBe('I64');
  });

  it('reports shape errors (all of them) and missing keys', () => {
    const bad = edited((k, t) => (k === 'model.visual.fc.bias' || k === 'model.transformer.transformer.layer.1.ffn.lin2.weight'
      ? [k, { dtype: 'F32', shape: [t.shape[0] + 1], data: new Float32Array(t.shape[0] + 1) }] : [k, t]));
    expect(() => mapToCanonical(bad, { textHeads: 2 })).toThrow(/image\.fc\.bias: shape \[33\], expected \[32\][^]*layer\.1\.ffn\.lin2\.weight/);
    const partial = edited((k, t) => (k === 'model.visual.layer2.0.downsample.1.running_var' ? null : [k, t]));
    expect(mapToCanonical(partial, { textHeads: 2 }).missing).toEqual(['image.layer2.0.downsample.1.running_var']);
    const noTracked = edited((k, t) => (k.endsWith('num_batches_tracked') ? null : [k, t]));
    expect(mapToCanonical(noTracked, { textHeads: 2 }).missing).toEqual([]);
  });

  it('rejects an image embedding that differs from the text dim', () => {
    const fc = source.get('model.visual.fc.weight')!;
    const wide = edited((k, t) => (k === 'model.visual.fc.weight' ? [k, { dtype: 'F32', shape: [40, fc.shape[1]], data: new Float32Array(40 * fc.shape[1]) }]
      : k === 'model.visual.fc.bias' ? [k, { dtype: 'F32', shape: [40], data: new Float32Array(40) }] : [k, t]));
    expect(() => mapToCanonical(wide, { textHeads: 2 })).toThrow(/image embedding size 40 \(fc\) differs from text dim 32/);
  });

  it('leaves heads unknown when dim is not a multiple of 64 and none are given', () => {
    const t = mapToCanonical(source).config.text!;
    expect(t.heads).toBeNull();
    expect(t.headsSource).toBe('unknown');
  });

  it('accepts plain torchvision, Hugging Face, DataParallel and canonical layouts', () => {
    const tv = mapToCanonical(edited((k, t) => (k.startsWith('model.visual.') ? [k.slice(13), t] : null)));
    expect(tv.layout).toBe('torchvision-resnet');
    expect(tv.config.text).toBeNull();
    expect(tv.tensors.size).toBe(imageShapes(m.config.image!).size);

    const hf = mapToCanonical(edited((k, t) => (k.startsWith('model.transformer.') ? [`distilbert.${k.slice(18)}`, t]
      : k === 'model.ln_final.bias' ? ['vocab_projector.bias', t] : null)), { textHeads: 2 });
    expect(hf.layout).toBe('hf-distilbert');
    expect(hf.ignored.sort()).toEqual(['distilbert.embeddings.position_ids', 'vocab_projector.bias']);
    expect(hf.tensors.size).toBe(textShapes(m.config.text!).size);

    const dp = mapToCanonical(edited((k, t) => [`module.${k}`, t]), { textHeads: 2 });
    expect([...dp.tensors.keys()]).toEqual([...m.tensors.keys()]);

    const again = mapToCanonical(m.tensors, { textHeads: 2 });
    expect(again.layout).toBe('canonical');
    expect([...again.tensors.keys()]).toEqual([...m.tensors.keys()]);
  });

  it('casts half-precision weights to F32', () => {
    const half = edited((k, t) => (k === 'model.visual.fc.bias'
      ? [k, { dtype: 'F16', shape: t.shape, data: new Uint16Array(t.shape[0]).fill(0x3c00) }] : [k, t]));
    const r = mapToCanonical(half, { textHeads: 2 });
    expect(r.cast).toEqual(['image.fc.bias']);
    expect(r.tensors.get('image.fc.bias')!.dtype).toBe('F32');
    expect(r.tensors.get('image.fc.bias')!.data[0]).toBe(1);
  });
});

describe('parity comparison', () => {
  it('measures max |diff| / max |expected| per tensor and reports the worst', () => {
    const actual: TensorMap = new Map();
    for (const [k, g] of grads) actual.set(k.slice(5), g);
    const fc = actual.get('image.fc.bias')!;
    const data = Float32Array.from(fc.data as Float32Array);
    let big = 0;
    for (let i = 1; i < data.length; i++) if (Math.abs(data[i]) > Math.abs(data[big])) big = i;
    data[0] += Math.abs(data[big]) * 1e-3;
    actual.set('image.fc.bias', { dtype: 'F32', shape: fc.shape, data });
    actual.delete('text.embeddings.LayerNorm.bias');
    const r = compareTensors(grads, actual, { tolerance: 1e-4, prefix: 'grad.' });
    expect(r.missing).toEqual(['text.embeddings.LayerNorm.bias']);
    expect(r.failures.map((d) => d.key)).toEqual(['image.fc.bias']);
    expect(r.worst!.relative).toBeCloseTo(1e-3, 5);
    expect(r.diffs.length).toBe(grads.size - 1);
  });
});

describe('full-size structures match torchvision / Hugging Face', () => {
  it('ResNet-50 with fc 2048 -> 768: 320 keys, 25,081,664 parameters', () => {
    const s = imageShapes({ block: 'bottleneck', layers: [3, 4, 6, 3], stem: 64, widths: [64, 128, 256, 512], features: 2048, embed: 768, name: 'resnet50' });
    expect(s.size).toBe(320);
    let params = 0;
    for (const [k, shape] of s) if (!/running_|num_batches/.test(k)) params += numel(shape);
    expect(params).toBe(25_081_664);
    expect(s.get('image.fc.weight')).toEqual([768, 2048]);
  });

  it('DistilBERT-base: 100 keys, 66,362,880 parameters', () => {
    const s = textShapes({ vocab: 30522, dim: 768, maxPositions: 512, layers: 6, ffn: 3072, heads: 12, headsSource: 'given', eps: 1e-12 });
    expect(s.size).toBe(100);
    let params = 0;
    for (const shape of s.values()) params += numel(shape);
    expect(params).toBe(66_362_880);
  });
});

// The paper-size fixture (scripts/parity/README.md) is 800 MB and git-ignored: checked only
// when EXIFLANG_PARITY_FULL names its directory.
const FULL = process.env.EXIFLANG_PARITY_FULL;
describe.skipIf(!FULL || !existsSync(join(FULL, 'model.pth')))('full-size parity fixture', () => {
  it('maps to resnet50 + DistilBERT-base with exactly the gradient names and shapes', () => {
    const dir = FULL!;
    const m = mapToCanonical(readPth(join(dir, 'model.pth')).tensors);
    expect(m.config.image!.name).toBe('resnet50');
    expect(m.config.text).toMatchObject({ dim: 768, layers: 6, heads: 12, ffn: 3072, vocab: 30522, maxPositions: 512 });
    expect(m.missing).toEqual([]);
    expect(m.ignored.length).toBe(7);
    // Only the header of grads.safetensors (names and shapes): its data is 350 MB.
    const src = new FileSource(join(dir, 'grads.safetensors'));
    const header = readSafetensorsHeader(src);
    src.close();
    const gradShapes = new Map(header.entries.map((e) => [e.name.slice('grad.'.length), e.shape]));
    for (const [k, shape] of gradShapes) expect(m.tensors.get(k)?.shape, k).toEqual(shape);
    const params = [...m.tensors.keys()].filter((k) => !/running_|num_batches_tracked|^logit_scale$/.test(k));
    expect(params.sort()).toEqual([...gradShapes.keys()].sort());
  }, 120_000);
});

describe('convert', () => {
  it('writes canonical safetensors with config and ignored keys in the metadata', () => {
    const out = join(tmp, 'small.safetensors');
    const r = convertCheckpoint(PTH, out, { textHeads: 2 });
    expect(r.layout).toBe('official');
    const back = readSafetensors(out);
    const mapped = mapToCanonical(source, { textHeads: 2 });
    expect([...back.tensors.keys()].sort()).toEqual([...mapped.tensors.keys()].sort());
    for (const [k, t] of back.tensors) expect(bytesOf(t).equals(bytesOf(mapped.tensors.get(k)!)), k).toBe(true);
    expect(back.metadata.format).toBe('exif-lang');
    expect(JSON.parse(back.metadata.config)).toEqual(JSON.parse(JSON.stringify(mapped.config)));
    expect(JSON.parse(back.metadata.ignored_keys)).toEqual(mapped.ignored);
    expect(back.metadata.source).toBe('model.pth');
  });

  it('asks for the head count when it cannot be inferred', () => {
    expect(() => convertCheckpoint(PTH, join(tmp, 'x.safetensors'))).toThrow(/--text-heads/);
    expect(existsSync(join(tmp, 'x.safetensors'))).toBe(false);
  });

  it('runs as `exiflang convert` and prints a summary', () => {
    const out = join(tmp, 'cli.safetensors');
    const stdout = execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'apps/cli/src/main.ts'), 'convert', PTH, out, '--text-heads', '2'], {
      cwd: ROOT, encoding: 'utf8',
    });
    expect(stdout).toMatch(/layout: official; state dict at \["model"\]/);
    expect(stdout).toMatch(/ignored \(7\): sink_temp/);
    expect(stdout).toMatch(/text: DistilBERT \(dim 32, 2 layers, 2 heads/);
    expect(readSafetensors(out).tensors.size).toBe(mapToCanonical(source, { textHeads: 2 }).tensors.size);
  }, 60_000);
});
