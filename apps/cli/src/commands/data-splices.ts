import type { Command } from 'commander';
import { generateSplices, type NegativeChoice, type ShapeChoice } from '@exif-lang/data';
import { progressBar } from './data-progress.ts';

interface Opts {
  photos: string;
  out: string;
  count: string;
  seed: string;
  jpegQuality?: string;
  maxSize: string;
  minSize: string;
  minFraction: string;
  maxFraction: string;
  shapes: string;
  negatives: string;
  checkAll?: boolean;
  split?: string;
  valFraction: string;
}

function num(name: string, v: string, integer = true): number {
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'}, got '${v}'`);
  return n;
}

function splitSide(v: string): 'train' | 'val' {
  if (v !== 'train' && v !== 'val') throw new Error(`--split must be 'train' or 'val', got '${v}'`);
  return v;
}

export function registerDataSplices(data: Command): void {
  data
    .command('splices')
    .description('make Columbia-style cross-camera splices (PNG, exact masks, authentic negatives, manifest.json)')
    .requiredOption('--photos <dir>', 'folder of photos with EXIF Make/Model (e.g. ../shared/photos or a `data synth` output)')
    .requiredOption('--out <dir>', 'output folder (spliced/, masks/, authentic/, manifest.json)')
    .option('--count <n>', 'number of spliced images (and as many authentic ones)', '100')
    .option('--seed <s>', 'seed: the same seed and photos give identical files', '0')
    .option('--jpeg-quality <q>', 'also re-save spliced and authentic images as JPEG of this quality')
    .option('--max-size <px>', 'host crops are at most this many pixels a side', '1024')
    .option('--min-size <px>', 'skip photos with a side shorter than this', '128')
    .option('--min-fraction <f>', 'smallest spliced fraction of the host crop', '0.1')
    .option('--max-fraction <f>', 'largest spliced fraction of the host crop', '0.4')
    .option('--shapes <kind>', "'rect', 'polygon' or 'mixed'", 'mixed')
    .option('--negatives <kind>', "'host' (the untouched host crop) or 'other' (a same-size crop of another photo)", 'host')
    .option('--split <side>', "only photos on this side of the training split: 'val' (held apart) or 'train'")
    .option('--val-fraction <f>', 'the training run\'s data.valFraction (with --split)', '0.15')
    .option('--check-all', 'decode every photo up front so each undecodable file is reported')
    .action(async (o: Opts) => {
      const bar = progressBar('splices');
      const t0 = performance.now();
      const m = await generateSplices({
        photos: o.photos, out: o.out, count: num('count', o.count), seed: num('seed', o.seed),
        jpegQuality: o.jpegQuality === undefined ? undefined : num('jpeg-quality', o.jpegQuality),
        maxSize: num('max-size', o.maxSize), minSize: num('min-size', o.minSize),
        minFraction: num('min-fraction', o.minFraction, false), maxFraction: num('max-fraction', o.maxFraction, false),
        shapes: o.shapes as ShapeChoice, negatives: o.negatives as NegativeChoice, checkAll: o.checkAll ?? false,
        split: o.split === undefined ? undefined : { keep: splitSide(o.split), valFraction: num('val-fraction', o.valFraction, false) },
        onProgress: bar.update,
      }).finally(() => bar.stop());
      const s = m.sources;
      const reasons = Object.entries(s.skipped).sort((a, b) => b[1] - a[1]);
      const fr = m.items.map((i) => i.areaFraction);
      process.stderr.write(
        `wrote ${m.items.length} spliced + ${m.items.length} authentic images to ${o.out} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n` +
          `photos: ${s.files} files, ${s.usable} usable from ${s.cameras} cameras; skipped: ${reasons.length ? reasons.map(([r, n]) => `${r} ${n}`).join(', ') : 'none'}\n` +
          `spliced area: ${(Math.min(...fr) * 100).toFixed(1)}%..${(Math.max(...fr) * 100).toFixed(1)}% of the host crop\n`,
      );
    });
}
