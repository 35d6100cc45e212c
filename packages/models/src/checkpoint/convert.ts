/**
 * .pth (or foreign safetensors) -> our safetensors checkpoint with canonical names; the
 * library half of `exiflang convert` (apps/cli/src/commands/convert.ts prints the summary).
 */
import { basename } from 'node:path';
import type { ModelConfig } from './canonical.ts';
import { mapToCanonical, type SourceLayout } from './official.ts';
import { readPth, type PyPath } from './pth.ts';
import { readSafetensors, writeSafetensors, type Metadata } from './safetensors.ts';
import { numel, type TensorMap } from './tensor.ts';

/** `__metadata__.format` of checkpoints written by exif-lang. */
export const CHECKPOINT_FORMAT = 'exif-lang';

export interface ConvertOptions {
  /** Attention heads of the text tower (not in the weights; default dim / 64). */
  textHeads?: number;
  /** Where the state dict is inside the .pth (dict keys); default: found automatically. */
  statePath?: PyPath;
  /** Write even when the structure needs keys the source lacks. */
  allowMissing?: boolean;
}

export interface ConvertResult {
  source: string;
  /** Where the state dict sat in the .pth ([] for the root or a safetensors file). */
  statePath: PyPath;
  layout: SourceLayout;
  tensors: number;
  parameters: number;
  ignored: string[];
  missing: string[];
  unexpected: string[];
  cast: string[];
  config: ModelConfig;
  metadata: Metadata;
}

function readAny(path: string, statePath?: PyPath): { tensors: TensorMap; path: PyPath } {
  if (path.endsWith('.safetensors')) return { tensors: readSafetensors(path).tensors, path: [] };
  const r = readPth(path, { path: statePath });
  return { tensors: r.tensors, path: r.path };
}

export function convertCheckpoint(input: string, output: string, opts: ConvertOptions = {}): ConvertResult {
  const { tensors: source, path: statePath } = readAny(input, opts.statePath);
  const m = mapToCanonical(source, { textHeads: opts.textHeads });
  if (m.config.text && m.config.text.heads === null) {
    throw new Error(
      `${input}: the text tower's attention heads are not recorded in the weights and dim ${m.config.text.dim} ` +
        'is not a multiple of 64; pass the head count (--text-heads)',
    );
  }
  if (m.missing.length > 0 && !opts.allowMissing) {
    throw new Error(`${input}: ${m.missing.length} keys missing for the inferred model: ${m.missing.slice(0, 8).join(', ')}${m.missing.length > 8 ? ', ...' : ''}`);
  }
  const metadata: Metadata = {
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify(m.config),
    source: basename(input),
    source_layout: m.layout,
    source_state_dict_path: JSON.stringify(statePath),
    ignored_keys: JSON.stringify(m.ignored),
  };
  writeSafetensors(output, m.tensors, metadata);
  let parameters = 0;
  for (const [k, t] of m.tensors) if (!/running_(mean|var)$|num_batches_tracked$/.test(k)) parameters += numel(t.shape);
  return {
    source: input, statePath, layout: m.layout, tensors: m.tensors.size, parameters,
    ignored: m.ignored, missing: m.missing, unexpected: m.unexpected, cast: m.cast, config: m.config, metadata,
  };
}

function list(names: string[], max = 12): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, ... (${names.length - max} more)`;
}

/** A human-readable summary of a conversion. */
export function describeConversion(r: ConvertResult, output: string): string {
  const lines = [`${r.source} -> ${output}`];
  lines.push(`  layout: ${r.layout}; state dict at ${r.statePath.length ? JSON.stringify(r.statePath) : 'the root'}`);
  lines.push(`  tensors: ${r.tensors}, parameters: ${r.parameters.toLocaleString('en-US')}`);
  const im = r.config.image;
  if (im) {
    lines.push(
      `  image: ${im.name ?? 'ResNet'} (${im.block}, blocks ${im.layers.join('-')}, stem ${im.stem}, ` +
        `widths ${im.widths.join('-')}, fc ${im.features} -> ${im.embed})`,
    );
  }
  const tx = r.config.text;
  if (tx) {
    lines.push(
      `  text: DistilBERT (dim ${tx.dim}, ${tx.layers} layers, ${tx.heads ?? '?'} heads [${tx.headsSource}], ` +
        `FFN ${tx.ffn}, vocab ${tx.vocab}, ${tx.maxPositions} positions)`,
    );
  }
  if (r.config.logitScale !== null) lines.push(`  logit scale: ${r.config.logitScale.toPrecision(6)}`);
  if (r.ignored.length) lines.push(`  ignored (${r.ignored.length}): ${list(r.ignored)}`);
  if (r.cast.length) lines.push(`  cast to F32: ${r.cast.length} tensors`);
  if (r.unexpected.length) lines.push(`  dropped, no place in the model (${r.unexpected.length}): ${list(r.unexpected)}`);
  if (r.missing.length) lines.push(`  MISSING (${r.missing.length}): ${list(r.missing)}`);
  return lines.join('\n');
}
