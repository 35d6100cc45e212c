import { describe, it, beforeAll, afterAll, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { getGpu, testing } from '@exif-lang/kernels';
import { ExifClip, convertCheckpoint, keep, loadModel, noGrad, readSafetensors, scope, tensor, toModelConfig, writeSafetensors } from '@exif-lang/models';
import { ExifTokenizer, normalizeBytes } from '@exif-lang/data';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = join(ROOT, 'packages/models/test/fixtures/parity-small');
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'exiflang-embed-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A minimal RGB PNG (8-bit, no filter), so the test needs no image library. */
function png(width: number, height: number, rgb: Uint8Array): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

interface EmbedJson {
  layout: string;
  dim: number;
  kind: string;
  crop?: { x: number; y: number; size: number };
  embedding: number[];
}

async function embed(args: string[]): Promise<EmbedJson> {
  const { stdout } = await run('npx', ['tsx', join(ROOT, 'apps/cli/src/main.ts'), 'embed', ...args], { cwd: ROOT, env: { ...process.env, EXIFLANG_QUIET: '1' } });
  return JSON.parse(stdout) as EmbedJson;
}

describe('exiflang embed', () => {
  it('image patch from the PyTorch .pth: equals the model on the same normalised crop', async () => {
    const W = 53;
    const H = 47;
    const rgb = Uint8Array.from(testing.randUniform(W * H * 3, 9, 0, 256), Math.floor);
    const file = join(tmp, 'img.png');
    writeFileSync(file, png(W, H, rgb));
    const out = await embed(['--checkpoint', join(FIXTURE, 'model.pth'), '--text-heads', '2', '--image', file, '--x', '5', '--y', '3', '--size', '40']);
    expect(out.layout).toBe('official');
    expect(out.kind).toBe('image');
    expect(out.dim).toBe(32);
    expect(out.crop).toEqual({ x: 5, y: 3, size: 40 });
    // the same crop, normalised in this process
    const crop = new Uint8Array(40 * 40 * 3);
    for (let r = 0; r < 40; r++) crop.set(rgb.subarray(((3 + r) * W + 5) * 3, ((3 + r) * W + 45) * 3), r * 120);
    const patch = new Float32Array(crop.length);
    normalizeBytes(crop, patch);
    const gpu = await getGpu();
    const { model } = loadModel(gpu, join(FIXTURE, 'model.pth'), { textHeads: 2 });
    const y = noGrad(() => scope(() => keep(model.encodeImage(tensor(gpu, patch, [1, 40, 40, 3])))));
    testing.assertClose(out.embedding, await y.data(), { atol: 1e-5 });
    y.dispose();
    model.dispose();
  }, 300_000);

  it('token ids through a converted safetensors: equal PyTorch eval text embeddings', async () => {
    const conv = join(tmp, 'model.safetensors');
    convertCheckpoint(join(FIXTURE, 'model.pth'), conv, { textHeads: 2 });
    const io = readSafetensors(join(FIXTURE, 'io.safetensors')).tensors;
    const ids = io.get('input.input_ids')!.data as Int32Array;
    const T = io.get('input.input_ids')!.shape[1];
    const row = 3; // 3 real tokens, then padding: without the padding the embedding is the same
    const mine = Array.from(ids.subarray(row * T, row * T + 3));
    const out = await embed(['--checkpoint', conv, '--token-ids', mine.join(',')]);
    expect(out.layout).toBe('canonical');
    expect(out.kind).toBe('text');
    const expected = (io.get('eval.text_embeds')!.data as Float32Array).subarray(row * 32, row * 32 + 32);
    testing.assertClose(out.embedding, expected, { atol: 1e-5 });
  }, 300_000);

  it('--text: BERT tokenization into a full-vocabulary model saved as our safetensors', async () => {
    const gpu = await getGpu();
    const model = new ExifClip(gpu, {
      image: { block: 'basic', layers: [1, 1, 1, 1], stem: 4, widths: [4, 4, 8, 8], embed: 16 },
      text: { vocab: 30522, dim: 16, maxPositions: 64, layers: 1, heads: 2, ffn: 24 },
      seed: 5,
    }).eval();
    const file = join(tmp, 'bert.safetensors');
    writeSafetensors(file, await model.stateDict(), { format: 'exif-lang', config: JSON.stringify(toModelConfig(model.config)) });
    const text = 'Make: Canon, Model: Canon EOS 5D Mark II, Exposure Time: 1/200, F Number: 5.6';
    const out = await embed(['--checkpoint', file, '--text', text]);
    const ids = new ExifTokenizer({ maxLength: 64 }).encode(text).ids;
    expect((out as EmbedJson & { ids: number[] }).ids).toEqual(ids);
    const T = ids.length;
    const y = noGrad(() => scope(() => keep(model.encodeText(tensor(gpu, Uint32Array.from(ids), [1, T], 'u32'), tensor(gpu, new Uint32Array(T).fill(1), [1, T], 'u32')))));
    testing.assertClose(out.embedding, await y.data(), { atol: 1e-5 });
    y.dispose();
    model.dispose();
  }, 300_000);

  it('refuses BERT text for a reduced-vocabulary model, and bad crops', async () => {
    await expect(embed(['--checkpoint', join(FIXTURE, 'model.pth'), '--text-heads', '2', '--text', 'Make: Canon'])).rejects.toThrow(/vocabulary has 128/);
    const file = join(tmp, 'small.png');
    writeFileSync(file, png(20, 20, new Uint8Array(20 * 20 * 3)));
    await expect(embed(['--checkpoint', join(FIXTURE, 'model.pth'), '--text-heads', '2', '--image', file])).rejects.toThrow(/does not fit the 20x20 image/);
  }, 300_000);
});
