/**
 * Maps state dicts from other layouts onto our canonical names (canonical.ts).
 *
 * The official exif-as-language checkpoint (hellomuffin/exif-as-language, model_wrapper.py +
 * train.py) is torch.save({'epoch', 'model': EXIFNet.state_dict(), 'optimizer', 'lr_sched'}).
 * EXIFNet keeps openai CLIP as `model` and swaps in torchvision's resnet50 (fc -> 2048x768)
 * as `model.visual` and Hugging Face's DistilBertModel as `model.transformer`, so its keys are
 *   model.visual.*        -> image.*
 *   model.transformer.*   -> text.*   (except embeddings.position_ids, a derived buffer)
 *   model.logit_scale     -> logit_scale (CLIP's ln(100): the fixed scale the paper trained with)
 * and the CLIP parts it never uses are ignored and listed: model.token_embedding.weight,
 * model.positional_embedding, model.ln_final.*, model.text_projection, plus EXIFNet's unused
 * sink_temp. Also accepted: our canonical names, a plain torchvision ResNet state dict (image
 * only), a Hugging Face DistilBertModel (text only, optionally under `distilbert.`), each
 * optionally under DataParallel's `module.` prefix.
 */
import {
  canonicalShapes, inferImageConfig, inferTextConfig, isOptionalKey, scalarValue, shapeEq,
  type ModelConfig,
} from './canonical.ts';
import { asF32, type RawTensor, type TensorMap } from './tensor.ts';

export type SourceLayout = 'official' | 'canonical' | 'torchvision-resnet' | 'hf-distilbert';

export interface MappedStateDict {
  layout: SourceLayout;
  /** Canonical name -> tensor in canonical order (floats as F32, num_batches_tracked as I64). */
  tensors: TensorMap;
  /** Source keys dropped on purpose (CLIP leftovers, derived buffers, other heads). */
  ignored: string[];
  /** Canonical keys the inferred structure needs but the source lacks (optional ones excluded). */
  missing: string[];
  /** Canonical names (mapped from the source) that the inferred structure has no place for; dropped. */
  unexpected: string[];
  /** Canonical keys whose source dtype was F16/BF16/F64 (now F32). */
  cast: string[];
  config: ModelConfig;
}

export interface MapOptions {
  /** Attention heads of the text tower (not recorded in the weights; default dim / 64). */
  textHeads?: number;
}

function stripPrefix(keys: string[], prefix: string): boolean {
  return keys.length > 0 && keys.every((k) => k.startsWith(prefix));
}

/** Which layout a state dict is in (after removing a `module.` prefix). */
export function detectLayout(keys: string[]): SourceLayout {
  if (keys.some((k) => k.startsWith('model.visual.') || k.startsWith('model.transformer.'))) return 'official';
  if (keys.some((k) => k.startsWith('image.') || k.startsWith('text.'))) return 'canonical';
  const has = (k: string) => keys.includes(k);
  if (has('conv1.weight') && has('layer1.0.conv1.weight')) return 'torchvision-resnet';
  if (has('embeddings.word_embeddings.weight') || has('distilbert.embeddings.word_embeddings.weight')) return 'hf-distilbert';
  throw new Error(
    `unrecognised state dict layout (first keys: ${keys.slice(0, 6).join(', ')}); expected the official ` +
      'exif-as-language keys (model.visual.*, model.transformer.*), canonical image./text. keys, ' +
      'a torchvision ResNet or a Hugging Face DistilBERT',
  );
}

/** Source key -> canonical key, or null to ignore it. */
function renamer(layout: SourceLayout, keys: string[]): (k: string) => string | null {
  const text = (rest: string) => (rest === 'embeddings.position_ids' ? null : `text.${rest}`);
  switch (layout) {
    case 'official':
      return (k) => {
        if (k.startsWith('model.visual.')) return `image.${k.slice('model.visual.'.length)}`;
        if (k.startsWith('model.transformer.')) return text(k.slice('model.transformer.'.length));
        return k === 'model.logit_scale' ? 'logit_scale' : null;
      };
    case 'canonical':
      return (k) => (k.startsWith('image.') || k === 'logit_scale' ? k : k.startsWith('text.') ? text(k.slice(5)) : null);
    case 'torchvision-resnet':
      return (k) => `image.${k}`;
    case 'hf-distilbert': {
      // DistilBertFor* models nest the encoder under `distilbert.`; their heads are ignored.
      const nested = keys.includes('distilbert.embeddings.word_embeddings.weight');
      return (k) => (nested ? (k.startsWith('distilbert.') ? text(k.slice(11)) : null) : text(k));
    }
  }
}

/**
 * Renames a state dict to canonical names, infers the model structure from the tensors
 * (so reduced-size models map too) and checks every shape against it. Throws one error
 * listing all shape problems; missing and unexpected keys are returned for the caller to judge.
 */
export function mapToCanonical(source: TensorMap, opts: MapOptions = {}): MappedStateDict {
  let keys = [...source.keys()];
  const dp = stripPrefix(keys, 'module.');
  if (dp) keys = keys.map((k) => k.slice('module.'.length));
  const layout = detectLayout(keys);
  const rename = renamer(layout, keys);
  const tensors: TensorMap = new Map();
  const ignored: string[] = [];
  const cast: string[] = [];
  for (const [srcKey, t] of source) {
    const k = dp ? srcKey.slice('module.'.length) : srcKey;
    const c = rename(k);
    if (c === null) {
      ignored.push(srcKey);
      continue;
    }
    if (tensors.has(c)) throw new Error(`two source keys map to ${c}`);
    let x: RawTensor = t;
    if (t.dtype === 'F16' || t.dtype === 'BF16' || t.dtype === 'F64') {
      x = asF32(t);
      cast.push(c);
    }
    tensors.set(c, x);
  }

  const problems: string[] = [];
  const hasImage = [...tensors.keys()].some((k) => k.startsWith('image.'));
  const hasText = [...tensors.keys()].some((k) => k.startsWith('text.'));
  const ls = tensors.get('logit_scale');
  const config: ModelConfig = {
    image: hasImage ? inferImageConfig(tensors, problems) : null,
    text: hasText ? inferTextConfig(tensors, problems, opts.textHeads) : null,
    logitScale: ls ? Math.exp(scalarValue(ls)) : null,
  };
  if (ls && ls.data.length !== 1) problems.push(`logit_scale has shape [${ls.shape}], expected a scalar`);
  if (config.image && config.text && config.image.embed !== config.text.dim) {
    problems.push(`image embedding size ${config.image.embed} (fc) differs from text dim ${config.text.dim}; the model has no projection`);
  }
  const expected = canonicalShapes(config);
  const missing: string[] = [];
  for (const [k, shape] of expected) {
    const t = tensors.get(k);
    if (!t) {
      if (!isOptionalKey(k)) missing.push(k);
    } else if (!(shapeEq(t.shape, shape) || (k === 'logit_scale' && t.data.length === 1))) {
      problems.push(`${k}: shape [${t.shape}], expected [${shape}]`);
    }
    if (t && k.endsWith('.num_batches_tracked') && t.dtype !== 'I64') problems.push(`${k}: dtype ${t.dtype}, expected I64`);
  }
  const unexpected = [...tensors.keys()].filter((k) => !expected.has(k));
  if (problems.length > 0) {
    throw new Error(`state dict (${layout} layout) does not fit the inferred model:\n  ${problems.join('\n  ')}`);
  }
  // Canonical order (torchvision's, then Hugging Face's), whatever the source order was.
  const ordered: TensorMap = new Map();
  for (const k of expected.keys()) {
    const t = tensors.get(k);
    if (t) ordered.set(k, t);
  }
  return { layout, tensors: ordered, ignored, missing, unexpected, cast, config };
}
