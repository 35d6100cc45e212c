import type { Command } from 'commander';
import { buildIndex, readVocabulary, type IndexOptions } from '@exif-lang/data';
import { progressBar } from './data-progress.ts';

interface Opts {
  out: string;
  minSize: string;
  check: 'full' | 'header';
  allowPartial?: boolean;
  threshold: string;
  vocab?: string;
  concurrency: string;
  exifFrom: 'auto' | 'image' | 'json';
  pathColumn?: string;
  timeoutMs: string;
}

export function registerDataIndex(data: Command): void {
  data
    .command('index')
    .argument('<source>', 'a folder of photos (recursive; .tar shards inside are read too), a .csv/.jsonl manifest, or a .tar shard')
    .description('cache EXIF, text and size of every usable image; summarise skipped files by reason')
    .requiredOption('--out <file>', 'index JSONL to write (also <stem>.vocab.json and <stem>.summary.json)')
    .option('--min-size <px>', 'smallest usable side (the patch size)', '124')
    .option('--check <mode>', "'full' decodes every image, 'header' reads only its size", 'full')
    .option('--allow-partial', 'accept images the decoder could only partly read')
    .option('--threshold <f>', 'keep tags present in at least this fraction of images', '0.49')
    .option('--vocab <file>', 'use this tag vocabulary (e.g. the training set\'s) instead of computing one')
    .option('--concurrency <n>', 'files probed at once', '2')
    .option('--exif-from <where>', "'auto' (image, else JSON beside it), 'image' or 'json'", 'auto')
    .option('--path-column <name>', 'manifest column holding the image path')
    .option('--timeout-ms <ms>', 'per-file limit', '30000')
    .action(async (source: string, o: Opts) => {
      const bar = progressBar('index');
      const options: IndexOptions = {
        minSize: Number(o.minSize), check: o.check, allowPartial: o.allowPartial ?? false, threshold: Number(o.threshold),
        concurrency: Number(o.concurrency), exifFrom: o.exifFrom, pathColumn: o.pathColumn, timeoutMs: Number(o.timeoutMs),
        vocabulary: o.vocab ? await readVocabulary(o.vocab) : undefined,
        onProgress: bar.update,
      };
      const { summary, vocabulary } = await buildIndex(source, o.out, options).finally(() => bar.stop());
      const reasons = Object.entries(summary.skipped).sort((a, b) => b[1] - a[1]);
      process.stderr.write(
        `indexed ${summary.indexed} of ${summary.total} files in ${summary.seconds.toFixed(1)} s` +
          (summary.ignoredFiles ? ` (${summary.ignoredFiles} non-image files ignored)` : '') + '\n' +
          (reasons.length ? `skipped: ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')}\n` : 'skipped: none\n') +
          `tags (${vocabulary.tags.length}, threshold ${vocabulary.threshold}): ${vocabulary.tags.join(', ')}\n` +
          `wrote ${summary.outputs.index}, ${options.vocabulary ? '' : `${summary.outputs.vocabulary}, `}${summary.outputs.summary}\n`,
      );
    });
}
