import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { getGpu } from '@exif-lang/kernels';
import { decodeImage } from '@exif-lang/data';
import {
  LOCALIZE_METHODS, localize, openExtractor, writeHeatmapOverlay, writeMaskPng, writeRgbPng,
  type LocalizeMethod, type Localization,
} from '@exif-lang/eval';
import { progressBar } from './data-progress.ts';

interface LocalizeOptions {
  checkpoint: string;
  out: string;
  method: LocalizeMethod;
  patchSize?: number;
  textHeads?: number;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
}

function method(v: string): LocalizeMethod {
  if (!(LOCALIZE_METHODS as readonly string[]).includes(v)) throw new Error(`--method: ${v} is not one of ${LOCALIZE_METHODS.join(', ')}`);
  return v as LocalizeMethod;
}

/** Output folder per image: its stem, disambiguated when two inputs share one. */
function folderFor(path: string, used: Set<string>): string {
  const stem = basename(path, extname(path)) || 'image';
  let name = stem;
  for (let k = 2; used.has(name); k++) name = `${stem}-${k}`;
  used.add(name);
  return name;
}

function round(t: Localization['timings']): Record<string, number> {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round((v ?? 0) * 10) / 10]));
}

export function registerLocalize(program: Command): void {
  program
    .command('localize')
    .description('zero-shot splice localization (the official procedure): heat map, mask, PCA picture and detection score per image')
    .requiredOption('--checkpoint <file>', 'our training checkpoint or .safetensors, or the official .pth')
    .requiredOption('--out <dir>', 'output folder (one sub-folder per image)')
    .option('--method <m>', `official (4-D volume, mean shift, normalized cut) or fast (clusters the embeddings)`, method, 'official')
    .option('--patch-size <px>', 'patch side (default: the checkpoint\'s training patch, else 124)', positiveInt)
    .option('--text-heads <n>', 'attention heads of the text tower of a foreign checkpoint', positiveInt)
    .argument('<images...>', 'JPEG, PNG or TIFF files')
    .action(async (images: string[], o: LocalizeOptions) => {
      const gpu = await getGpu();
      const opened = openExtractor(gpu, o.checkpoint, { patchSize: o.patchSize, textHeads: o.textHeads });
      mkdirSync(o.out, { recursive: true });
      const bar = progressBar('localize');
      const used = new Set<string>();
      const failures: string[] = [];
      try {
        for (const [k, path] of images.entries()) {
          bar.update(k, images.length);
          try {
            const t0 = performance.now();
            const decoded = await decodeImage(path);
            if (!decoded.ok) throw new Error(`cannot decode (${decoded.reason}: ${decoded.detail})`);
            const decodeMs = performance.now() - t0;
            const r = await localize(gpu, opened.extractor, decoded.image, { method: o.method, name: path });
            const dir = join(o.out, folderFor(path, used));
            mkdirSync(dir, { recursive: true });
            const t1 = performance.now();
            const { width, height } = decoded.image;
            await writeHeatmapOverlay(join(dir, 'heatmap.png'), decoded.image, r.heatmap);
            await writeMaskPng(join(dir, 'mask.png'), width, height, r.mask);
            await writeRgbPng(join(dir, 'pca.png'), width, height, r.pca);
            const result = {
              image: path, width, height, checkpoint: o.checkpoint, layout: opened.loaded.layout, method: o.method,
              score: r.score, patchSize: opened.patchSize, grid: r.grid,
              maskFraction: r.mask.reduce((a, b) => a + b, 0) / r.mask.length,
              timings: { decode: Math.round(decodeMs * 10) / 10, ...round(r.timings), write: Math.round((performance.now() - t1) * 10) / 10 },
            };
            writeFileSync(join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
          } catch (e) {
            // A bad file is reported by name and reason; the others go on.
            failures.push(`${path}: ${(e as Error).message}`);
          }
        }
        bar.update(images.length, images.length);
      } finally {
        bar.stop();
        opened.dispose();
      }
      process.stderr.write(`localized ${images.length - failures.length} of ${images.length} image(s) into ${o.out}\n`);
      for (const f of failures) process.stderr.write(`  skipped ${f}\n`);
      if (failures.length === images.length) process.exitCode = 1;
    });
}
