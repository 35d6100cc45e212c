import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { convertCheckpoint, describeConversion } from '@exif-lang/models';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description(
      'convert a PyTorch checkpoint (the official exif-as-language .pth, a torchvision ResNet or a ' +
        'Hugging Face DistilBERT state dict) to an exif-lang safetensors checkpoint with canonical names',
    )
    .argument('<in>', 'input .pth / .pt (or .safetensors)')
    .argument('<out>', 'output .safetensors')
    .option('--text-heads <n>', 'attention heads of the text tower (default: dim / 64, as DistilBERT)', positiveInt)
    .option('--state-dict <path>', 'dot-separated keys of the state dict inside the checkpoint (default: found automatically)')
    .option('--allow-missing', 'write even when keys the model needs are missing')
    .action((input: string, output: string, opts: { textHeads?: number; stateDict?: string; allowMissing?: boolean }) => {
      const r = convertCheckpoint(input, output, {
        textHeads: opts.textHeads,
        statePath: opts.stateDict ? opts.stateDict.split('.') : undefined,
        allowMissing: opts.allowMissing,
      });
      process.stdout.write(`${describeConversion(r, output)}\n  wrote ${(statSync(output).size / 2 ** 20).toFixed(1)} MiB\n`);
    });
}
