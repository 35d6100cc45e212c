/**
 * The canonical state-dict names of the EXIF-CLIP model. The model code produces exactly
 * these names (PyTorch layouts: conv OIHW, linear [out, in]); every checkpoint we read is
 * mapped onto them and every checkpoint we write uses them.
 *
 *   image.<torchvision ResNet names>
 *     prefilter.weight [3,3,k,k]  (optional, ours only) the fixed high-pass filter before conv1
 *     conv1.weight [stem,3,7,7]; bn1.{weight,bias,running_mean,running_var,num_batches_tracked}
 *     layer{1..4}.{b}.conv1/bn1/conv2/bn2[/conv3/bn3 for bottlenecks].*
 *     layer{s}.0.downsample.0.weight (1x1 conv), layer{s}.0.downsample.1.* (BN) when the
 *       block changes stride or channels
 *     fc.weight [embed, C], fc.bias [embed]            (the embedding head, 2048 -> 768 in the paper)
 *   text.<Hugging Face DistilBertModel names>
 *     embeddings.word_embeddings.weight [V,D], embeddings.position_embeddings.weight [P,D],
 *     embeddings.LayerNorm.{weight,bias}
 *     transformer.layer.{i}.attention.{q_lin,k_lin,v_lin,out_lin}.{weight,bias}
 *     transformer.layer.{i}.sa_layer_norm.{weight,bias}
 *     transformer.layer.{i}.ffn.{lin1,lin2}.{weight,bias}
 *     transformer.layer.{i}.output_layer_norm.{weight,bias}
 *   logit_scale []  (optional) ln of the InfoNCE logit scale, CLIP's convention (exp -> 100)
 *
 * num_batches_tracked is I64 and optional (old torchvision checkpoints lack it); everything
 * else is F32.
 */
import { toFloat32, type RawTensor, type TensorMap } from './tensor.ts';

export interface ImageConfig {
  block: 'basic' | 'bottleneck';
  /** Blocks per stage, e.g. [3, 4, 6, 3] for ResNet-50. */
  layers: number[];
  /** Output channels of the stem conv (64 in torchvision). */
  stem: number;
  /** Planes of each stage (64-128-256-512 in torchvision); bottlenecks output 4x. */
  widths: number[];
  /** Channels entering fc (2048 for ResNet-50). */
  features: number;
  /** fc output size, the embedding size (768 in the paper). */
  embed: number;
  /** torchvision's name when the structure is a standard one at full width. */
  name: string | null;
  /** kernel size of the fixed high-pass prefilter (`image.prefilter.weight`), null without one */
  prefilterKernel?: number | null;
}

export interface TextConfig {
  vocab: number;
  dim: number;
  maxPositions: number;
  layers: number;
  ffn: number;
  /** Attention heads: not recorded in the weights; given by the caller or assumed dim / 64. */
  heads: number | null;
  headsSource: 'given' | 'assumed (head dim 64, as DistilBERT)' | 'unknown';
  /** LayerNorm epsilon (DistilBERT's; not recorded in the weights). */
  eps: number;
}

export interface ModelConfig {
  image: ImageConfig | null;
  text: TextConfig | null;
  /** exp(logit_scale) when the checkpoint has one. */
  logitScale: number | null;
}

export type ShapeSpec = Map<string, number[]>;

const BN_PARTS = ['weight', 'bias', 'running_mean', 'running_var'] as const;

/** Every canonical image key with its shape, in torchvision's order. */
export function imageShapes(c: ImageConfig): ShapeSpec {
  const s: ShapeSpec = new Map();
  const bn = (p: string, ch: number): void => {
    for (const part of BN_PARTS) s.set(`${p}.${part}`, [ch]);
    s.set(`${p}.num_batches_tracked`, []);
  };
  if (c.prefilterKernel) s.set('image.prefilter.weight', [3, 3, c.prefilterKernel, c.prefilterKernel]);
  s.set('image.conv1.weight', [c.stem, 3, 7, 7]);
  bn('image.bn1', c.stem);
  const exp = c.block === 'bottleneck' ? 4 : 1;
  let inC = c.stem;
  c.layers.forEach((count, si) => {
    const planes = c.widths[si];
    const stride = si === 0 ? 1 : 2;
    for (let b = 0; b < count; b++) {
      const p = `image.layer${si + 1}.${b}`;
      const cin = b === 0 ? inC : planes * exp;
      if (c.block === 'bottleneck') {
        s.set(`${p}.conv1.weight`, [planes, cin, 1, 1]);
        bn(`${p}.bn1`, planes);
        s.set(`${p}.conv2.weight`, [planes, planes, 3, 3]);
        bn(`${p}.bn2`, planes);
        s.set(`${p}.conv3.weight`, [planes * 4, planes, 1, 1]);
        bn(`${p}.bn3`, planes * 4);
      } else {
        s.set(`${p}.conv1.weight`, [planes, cin, 3, 3]);
        bn(`${p}.bn1`, planes);
        s.set(`${p}.conv2.weight`, [planes, planes, 3, 3]);
        bn(`${p}.bn2`, planes);
      }
      if (b === 0 && (stride !== 1 || cin !== planes * exp)) {
        s.set(`${p}.downsample.0.weight`, [planes * exp, cin, 1, 1]);
        bn(`${p}.downsample.1`, planes * exp);
      }
    }
    inC = planes * exp;
  });
  s.set('image.fc.weight', [c.embed, inC]);
  s.set('image.fc.bias', [c.embed]);
  return s;
}

/** Every canonical text key with its shape, in Hugging Face's order. */
export function textShapes(c: TextConfig): ShapeSpec {
  const s: ShapeSpec = new Map();
  const d = c.dim;
  s.set('text.embeddings.word_embeddings.weight', [c.vocab, d]);
  s.set('text.embeddings.position_embeddings.weight', [c.maxPositions, d]);
  s.set('text.embeddings.LayerNorm.weight', [d]);
  s.set('text.embeddings.LayerNorm.bias', [d]);
  for (let i = 0; i < c.layers; i++) {
    const p = `text.transformer.layer.${i}`;
    for (const lin of ['q_lin', 'k_lin', 'v_lin', 'out_lin']) {
      s.set(`${p}.attention.${lin}.weight`, [d, d]);
      s.set(`${p}.attention.${lin}.bias`, [d]);
    }
    s.set(`${p}.sa_layer_norm.weight`, [d]);
    s.set(`${p}.sa_layer_norm.bias`, [d]);
    s.set(`${p}.ffn.lin1.weight`, [c.ffn, d]);
    s.set(`${p}.ffn.lin1.bias`, [c.ffn]);
    s.set(`${p}.ffn.lin2.weight`, [d, c.ffn]);
    s.set(`${p}.ffn.lin2.bias`, [d]);
    s.set(`${p}.output_layer_norm.weight`, [d]);
    s.set(`${p}.output_layer_norm.bias`, [d]);
  }
  return s;
}

/** All canonical keys and shapes of a model (what its state dict must hold). */
export function canonicalShapes(c: ModelConfig): ShapeSpec {
  const s: ShapeSpec = new Map();
  if (c.image) for (const [k, v] of imageShapes(c.image)) s.set(k, v);
  if (c.text) for (const [k, v] of textShapes(c.text)) s.set(k, v);
  if (c.logitScale !== null) s.set('logit_scale', []);
  return s;
}

/** Keys that may be absent without the checkpoint being incomplete. */
export function isOptionalKey(key: string): boolean {
  return key.endsWith('.num_batches_tracked') || key === 'logit_scale';
}

const TORCHVISION_NAMES: Record<string, string> = {
  'basic:2,2,2,2': 'resnet18', 'basic:3,4,6,3': 'resnet34', 'bottleneck:3,4,6,3': 'resnet50',
  'bottleneck:3,4,23,3': 'resnet101', 'bottleneck:3,8,36,3': 'resnet152',
};

function dims(t: TensorMap, key: string, rank: number, problems: string[]): number[] | null {
  const x = t.get(key);
  if (!x) {
    problems.push(`${key} is missing (needed to infer the structure)`);
    return null;
  }
  if (x.shape.length !== rank) {
    problems.push(`${key} has shape [${x.shape}], expected rank ${rank}`);
    return null;
  }
  return x.shape;
}

/** Infers the ResNet structure from canonical `image.*` tensors (any widths and depths). */
export function inferImageConfig(t: TensorMap, problems: string[]): ImageConfig | null {
  const conv1 = dims(t, 'image.conv1.weight', 4, problems);
  const fc = dims(t, 'image.fc.weight', 2, problems);
  if (!conv1 || !fc) return null;
  const block = t.has('image.layer1.0.conv3.weight') ? 'bottleneck' : 'basic';
  const layers: number[] = [];
  const widths: number[] = [];
  for (let s = 1; s <= 4; s++) {
    let n = 0;
    while (t.has(`image.layer${s}.${n}.conv1.weight`)) n++;
    if (n === 0) {
      problems.push(`image.layer${s}.0.conv1.weight is missing (needed to infer the structure)`);
      return null;
    }
    layers.push(n);
    widths.push(t.get(`image.layer${s}.0.conv1.weight`)!.shape[0]);
  }
  const full = conv1[0] === 64 && widths.join() === '64,128,256,512';
  const name = full ? (TORCHVISION_NAMES[`${block}:${layers.join()}`] ?? null) : null;
  const features = widths[3] * (block === 'bottleneck' ? 4 : 1);
  const pre = t.get('image.prefilter.weight');
  if (pre && (pre.shape.length !== 4 || pre.shape[0] !== 3 || pre.shape[1] !== 3 || pre.shape[2] !== pre.shape[3])) {
    problems.push(`image.prefilter.weight has shape [${pre.shape}], expected [3, 3, k, k]`);
  }
  return { block, layers, stem: conv1[0], widths, features, embed: fc[0], name: pre ? null : name, prefilterKernel: pre ? pre.shape[2] : null };
}

/** Infers the DistilBERT structure from canonical `text.*` tensors. */
export function inferTextConfig(t: TensorMap, problems: string[], heads?: number): TextConfig | null {
  const word = dims(t, 'text.embeddings.word_embeddings.weight', 2, problems);
  const pos = dims(t, 'text.embeddings.position_embeddings.weight', 2, problems);
  if (!word || !pos) return null;
  let layers = 0;
  while (t.has(`text.transformer.layer.${layers}.attention.q_lin.weight`)) layers++;
  const dim = word[1];
  const lin1 = layers > 0 ? dims(t, 'text.transformer.layer.0.ffn.lin1.weight', 2, problems) : null;
  if (layers > 0 && !lin1) return null;
  let h: number | null = null;
  let headsSource: TextConfig['headsSource'] = 'unknown';
  if (heads !== undefined) {
    h = heads;
    headsSource = 'given';
    if (!(heads > 0 && dim % heads === 0)) problems.push(`text dim ${dim} is not divisible by ${heads} heads`);
  } else if (dim % 64 === 0) {
    h = dim / 64;
    headsSource = 'assumed (head dim 64, as DistilBERT)';
  }
  return { vocab: word[0], dim, maxPositions: pos[0], layers, ffn: lin1 ? lin1[0] : 0, heads: h, headsSource, eps: 1e-12 };
}

export function shapeEq(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A scalar tensor's value as a number. */
export function scalarValue(x: RawTensor): number {
  if (x.data.length !== 1) throw new Error(`expected a scalar, got shape [${x.shape}]`);
  return toFloat32(x)[0];
}
