import type { Command } from 'commander';
import { getGpu } from '@exif-lang/kernels';
import { keep, loadModel, noGrad, ops, scope, tensor, type ExifClip, type Tensor } from '@exif-lang/models';
import { DEFAULT_MAX_LENGTH, ExifTokenizer, decodeImage, writeNormalizedPatch } from '@exif-lang/data';

interface EmbedOptions {
  checkpoint: string;
  image?: string;
  x: number;
  y: number;
  size: number;
  text?: string;
  tokenIds?: number[];
  maxLength?: number;
  textHeads?: number;
  normalize?: boolean;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got "${v}"`);
  return n;
}

function positiveInt(v: string): number {
  const n = nonNegativeInt(v);
  if (n === 0) throw new Error('expected a positive integer, got 0');
  return n;
}

function idList(v: string): number[] {
  return v.split(',').map((s) => nonNegativeInt(s.trim()));
}

/** Runs one forward pass without recording and reads the [1, E] result back. */
async function embedOne(model: ExifClip, run: () => Tensor, normalize: boolean): Promise<number[]> {
  const y = noGrad(() => scope(() => {
    const e = run();
    return keep(normalize ? ops.l2Normalize(e) : e);
  }));
  const v = await y.data();
  y.dispose();
  return Array.from(v);
}

async function embedImage(model: ExifClip, o: EmbedOptions, path: string): Promise<Record<string, unknown>> {
  const r = await decodeImage(path);
  if (!r.ok) throw new Error(`${path}: cannot decode (${r.reason}: ${r.detail})`);
  const img = r.image;
  const crop = { x: o.x, y: o.y, size: o.size };
  if (o.x + o.size > img.width || o.y + o.size > img.height) {
    throw new Error(`${path}: a ${o.size} px patch at (${o.x}, ${o.y}) does not fit the ${img.width}x${img.height} image`);
  }
  const patch = new Float32Array(o.size * o.size * 3);
  writeNormalizedPatch(img, crop, patch);
  const embedding = await embedOne(model, () => model.encodeImage(tensor(model.gpu, patch, [1, o.size, o.size, 3])), o.normalize ?? false);
  return { kind: 'image', image: path, width: img.width, height: img.height, crop, embedding };
}

async function embedText(model: ExifClip, o: EmbedOptions): Promise<Record<string, unknown>> {
  const cfg = model.config.text;
  let ids: number[];
  let text: string | undefined;
  if (o.tokenIds) {
    ids = o.tokenIds;
  } else {
    text = o.text ?? '';
    const tok = new ExifTokenizer({ maxLength: Math.min(o.maxLength ?? DEFAULT_MAX_LENGTH, cfg.maxPositions) });
    if (tok.vocabSize > cfg.vocab) {
      throw new Error(`the checkpoint's text vocabulary has ${cfg.vocab} entries, the BERT tokenizer ${tok.vocabSize}: pass --token-ids for a reduced-vocabulary model`);
    }
    ids = tok.encode(text).ids;
  }
  if (ids.length === 0 || ids.length > cfg.maxPositions) throw new Error(`${ids.length} tokens: the model takes 1..${cfg.maxPositions}`);
  const bad = ids.find((id) => id >= cfg.vocab);
  if (bad !== undefined) throw new Error(`token id ${bad} is outside the checkpoint's vocabulary (${cfg.vocab})`);
  const T = ids.length;
  const embedding = await embedOne(model, () => model.encodeText(
    tensor(model.gpu, Uint32Array.from(ids), [1, T], 'u32'),
    tensor(model.gpu, new Uint32Array(T).fill(1), [1, T], 'u32'),
  ), o.normalize ?? false);
  return { kind: 'text', ...(text !== undefined ? { text } : {}), tokens: T, ids, embedding };
}

export function registerEmbed(program: Command): void {
  program
    .command('embed')
    .description('print the embedding of one image patch (--image) or one EXIF text (--text) as JSON')
    .requiredOption('--checkpoint <file>', 'our .safetensors or a PyTorch .pth (the official exif-as-language layout)')
    .option('--image <file>', 'image to take the patch from (native resolution, no resizing)')
    .option('--x <px>', 'left edge of the patch', nonNegativeInt, 0)
    .option('--y <px>', 'top edge of the patch', nonNegativeInt, 0)
    .option('--size <px>', 'patch side (the paper evaluates 124)', positiveInt, 124)
    .option('--text <exif>', 'EXIF as text, e.g. "Make: Canon, Model: Canon EOS 5D, ..."')
    .option('--token-ids <ids>', 'comma-separated token ids instead of --text (models with their own vocabulary)', idList)
    .option('--max-length <n>', `truncate the text to n tokens (default ${DEFAULT_MAX_LENGTH}, at most the model's positions)`, positiveInt)
    .option('--text-heads <n>', 'attention heads of the text tower (default: from our checkpoint, else dim / 64)', positiveInt)
    .option('--normalize', 'L2-normalise the embedding (what the cosine similarities use)')
    .action(async (o: EmbedOptions) => {
      const inputs = [o.image, o.text, o.tokenIds].filter((v) => v !== undefined).length;
      if (inputs !== 1) throw new Error('give exactly one of --image, --text, --token-ids');
      const gpu = await getGpu();
      const { model, layout } = loadModel(gpu, o.checkpoint, { textHeads: o.textHeads });
      try {
        const out = o.image ? await embedImage(model, o, o.image) : await embedText(model, o);
        const embedding = out.embedding as number[];
        process.stdout.write(`${JSON.stringify({ checkpoint: o.checkpoint, layout, dim: embedding.length, normalized: o.normalize ?? false, ...out })}\n`);
      } finally {
        model.dispose();
      }
    });
}
