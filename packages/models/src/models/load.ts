import type { Gpu } from '@exif-lang/kernels';
import { readSafetensors } from '../checkpoint/safetensors.ts';
import { readPth } from '../checkpoint/pth.ts';
import { mapToCanonical, type SourceLayout } from '../checkpoint/official.ts';
import type { ModelConfig } from '../checkpoint/canonical.ts';
import type { TensorMap } from '../checkpoint/tensor.ts';
import { ExifClip, exifClipConfigFrom } from './exif-clip.ts';

export interface LoadModelOptions {
  /** text attention heads (not in the weights): default from our checkpoint's metadata, else dim / 64 */
  textHeads?: number;
  /** train the logit scale from the checkpoint's value (default: fixed, as the paper) */
  learnedScale?: boolean;
  /** dropout of the rebuilt text tower (default 0.1 hidden and attention, DistilBERT's; inference ignores it) */
  dropout?: number;
  attentionDropout?: number;
  /** shown in errors when the checkpoint is given as bytes */
  name?: string;
}

export interface LoadedModel {
  model: ExifClip;
  layout: SourceLayout;
  config: ModelConfig;
  /** source keys that were not model parameters (CLIP leftovers, optimizer state, ...) */
  ignored: string[];
}

/** Heads recorded by exif-lang in a safetensors header (`__metadata__.config`), if any. */
function headsFromMetadata(meta: Record<string, string> | undefined): number | undefined {
  if (!meta?.config) return undefined;
  try {
    // A canonical export stores the model config ({ text: { heads } }); a training checkpoint
    // stores the run config ({ model: { text: { heads } } }).
    const c = JSON.parse(meta.config) as { text?: { heads?: unknown }; model?: { text?: { heads?: unknown } } };
    const heads = c.text?.heads ?? c.model?.text?.heads;
    return typeof heads === 'number' ? heads : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A checkpoint given as a path, or as its bytes (a browser has no files): safetensors when the
 * path ends in .safetensors, or when the bytes are laid out as one (an 8-byte header length, then
 * the JSON header's "{"); anything else is read as a PyTorch .pth (zip or bare pickle).
 */
export type CheckpointInput = string | Uint8Array;

function isSafetensors(input: CheckpointInput): boolean {
  if (typeof input === 'string') return input.endsWith('.safetensors');
  return input.byteLength > 8 && input[8] === 0x7b && !(input[0] === 0x50 && input[1] === 0x4b);
}

/** Reads a state dict from our safetensors or a PyTorch .pth (the official checkpoint included). */
export function readCheckpointTensors(input: CheckpointInput, name?: string): { tensors: TensorMap; heads?: number } {
  if (isSafetensors(input)) {
    const f = readSafetensors(input, { halfToF32: true, name });
    return { tensors: f.tensors, heads: headsFromMetadata(f.metadata) };
  }
  return { tensors: readPth(input, { name }).tensors };
}

/**
 * A ready model (eval mode) from a checkpoint: our safetensors (canonical names) or a .pth in
 * the official exif-as-language layout, a torchvision ResNet + Hugging Face DistilBERT pair, or
 * canonical names. The structure (depths, widths, sizes) is inferred from the tensors.
 */
export function loadModel(gpu: Gpu, input: CheckpointInput, opts: LoadModelOptions = {}): LoadedModel {
  const path = typeof input === 'string' ? input : (opts.name ?? '<checkpoint bytes>');
  const { tensors, heads } = readCheckpointTensors(input, path);
  const m = mapToCanonical(tensors, { textHeads: opts.textHeads ?? heads });
  if (m.missing.length) throw new Error(`${path}: ${m.missing.length} tensors missing for the inferred model: ${m.missing.slice(0, 6).join(', ')}${m.missing.length > 6 ? ', ...' : ''}`);
  const model = new ExifClip(gpu, exifClipConfigFrom(m.config, opts));
  try {
    const r = model.loadStateDict(m.tensors, { strict: false });
    // Optional keys (num_batches_tracked, logit_scale) may be absent: the model keeps its own.
    const missing = r.missing.filter((k) => !/num_batches_tracked$|^logit_scale$/.test(k));
    if (missing.length || r.unexpected.length) throw new Error(`${path}: state dict does not fit the model (missing ${missing.join(', ') || 'none'}; unexpected ${r.unexpected.join(', ') || 'none'})`);
  } catch (e) {
    model.dispose();
    throw e;
  }
  model.eval();
  return { model, layout: m.layout, config: m.config, ignored: m.ignored };
}
