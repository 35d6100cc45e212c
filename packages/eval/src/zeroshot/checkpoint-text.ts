/**
 * How a checkpoint's texts were written and tokenised: a training checkpoint's header records
 * its run config (model.text.maxTokens; data.text.tags/values, the text ablations), so the
 * candidate texts of a zero-shot probe or a check are written the way that model read them.
 * Without a config (the official .pth, a bare export): every vocabulary tag, exiftool-style
 * values, truncation at the text tower's positions (the official tokenizer's own limit).
 */
import { openSource, readSafetensorsHeader, type CheckpointInput, type ExifClip } from '@exif-lang/models';
import type { TagSubset, ValueMode } from '@exif-lang/data';

export interface TextSettings {
  maxTokens: number;
  subset: TagSubset;
  values: ValueMode;
  /** where the settings came from, for the report */
  from: 'run config' | 'defaults';
}

interface RunConfigText {
  model?: { text?: { maxTokens?: unknown } };
  data?: { text?: { tags?: unknown; values?: unknown } };
}

function runConfig(input: CheckpointInput): RunConfigText | undefined {
  if (typeof input === 'string' && !input.endsWith('.safetensors')) return undefined;
  if (typeof input !== 'string' && !(input.byteLength > 8 && input[8] === 0x7b)) return undefined;
  const src = openSource(input);
  try {
    const c = readSafetensorsHeader(src).metadata.config;
    return c ? (JSON.parse(c) as RunConfigText) : undefined;
  } catch {
    return undefined;
  } finally {
    src.close();
  }
}

function subsetOf(v: unknown): TagSubset {
  if (v === 'make-model' || v === 'no-make-model') return v;
  if (Array.isArray(v) && v.every((t) => typeof t === 'string')) return v as string[];
  return 'all';
}

export function checkpointTextSettings(input: CheckpointInput, model: ExifClip): TextSettings {
  const positions = model.config.text.maxPositions;
  const c = runConfig(input);
  const mt = c?.model?.text?.maxTokens;
  return {
    maxTokens: typeof mt === 'number' ? Math.min(mt, positions) : positions,
    subset: subsetOf(c?.data?.text?.tags),
    values: c?.data?.text?.values === 'raw' ? 'raw' : 'normalized',
    from: c ? 'run config' : 'defaults',
  };
}
