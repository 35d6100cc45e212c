import type { Command } from 'commander';
import { generateSynthZoo, SYNTH_DEFAULTS } from '@exif-lang/data';
import { progressBar } from './data-progress.ts';

interface Opts {
  cameras: string;
  images: string;
  out: string;
  seed: string;
  minSize: string;
  maxSize: string;
}

function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got '${v}'`);
  return n;
}

export function registerDataSynth(data: Command): void {
  data
    .command('synth')
    .description('render a synthetic camera zoo: JPEGs from simulated camera pipelines with EXIF matching each shot, plus manifests')
    .requiredOption('--out <dir>', 'output folder (images/, manifest.jsonl, manifest.csv, cameras.json)')
    .option('--cameras <n>', 'number of simulated cameras', String(SYNTH_DEFAULTS.cameras))
    .option('--images <n>', 'number of images (cameras take turns)', String(SYNTH_DEFAULTS.images))
    .option('--seed <s>', 'seed: the same seed writes byte-identical files', String(SYNTH_DEFAULTS.seed))
    .option('--min-size <px>', 'smallest image side', String(SYNTH_DEFAULTS.minSize))
    .option('--max-size <px>', 'largest image side', String(SYNTH_DEFAULTS.maxSize))
    .action(async (o: Opts) => {
      const bar = progressBar('synth');
      const r = await generateSynthZoo({
        cameras: int('cameras', o.cameras), images: int('images', o.images), seed: int('seed', o.seed),
        minSize: int('min-size', o.minSize), maxSize: int('max-size', o.maxSize), out: o.out, onProgress: bar.update,
      }).finally(() => bar.stop());
      const makes = new Set(r.cameras.map((c) => c.make)).size;
      process.stderr.write(
        `wrote ${r.records.length} images from ${r.cameras.length} cameras (${makes} makes) to ${o.out} in ${r.seconds.toFixed(1)} s ` +
          `(${(r.records.length / r.seconds).toFixed(1)} images/s)\n` +
          r.cameras.map((c) => `  ${c.id}  ${c.make} / ${c.model}  ${c.kind} ${c.width}x${c.height} ${c.cfa} ${c.demosaic} q${c.jpeg.quality} ${c.jpeg.chroma}\n`).join(''),
      );
    });
}
