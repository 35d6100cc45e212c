import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import {
  corpusStats, openSource, orderedMap, probeSample, readIndex, readVocabulary, type ExifValue,
} from '@exif-lang/data';
import { progressBar } from './data-progress.ts';

interface Opts {
  threshold: string;
  maxLength: string;
  vocab?: string;
  json?: boolean;
}

async function records(source: string): Promise<Array<Record<string, ExifValue>>> {
  if (/\.jsonl$/i.test(source) && statSync(source).isFile() && existsSync(source)) {
    const entries = await readIndex(source).catch(() => undefined);
    if (entries) return entries.map((e) => e.exif);
  }
  const opened = await openSource(source);
  const bar = progressBar('read EXIF');
  const out: Array<Record<string, ExifValue>> = [];
  let done = 0;
  const total = opened.listing?.shards.length === 0 ? opened.listing.images.length : undefined;
  try {
    for await (const r of orderedMap(opened.samples(), 2, (s) => probeSample(s, { check: 'header', minSize: 1 }))) {
      bar.update(++done, total);
      if (r.ok) out.push(r.entry.exif);
    }
  } finally {
    bar.stop();
  }
  return out;
}

export function registerDataStats(data: Command): void {
  data
    .command('stats')
    .argument('<source>', 'an index .jsonl written by `data index`, or any source `data index` takes')
    .description('tag frequencies, the chosen tag set, and token-length percentiles of the EXIF texts')
    .option('--threshold <f>', 'keep tags present in at least this fraction of images', '0.49')
    .option('--max-length <n>', 'tokenizer max length (reports how many texts it would truncate)', '256')
    .option('--vocab <file>', 'use this tag vocabulary instead of choosing one')
    .option('--json', 'print the statistics as JSON')
    .action(async (source: string, o: Opts) => {
      const recs = await records(source);
      const s = corpusStats(recs, {
        threshold: Number(o.threshold), maxLength: Number(o.maxLength),
        vocabulary: o.vocab ? await readVocabulary(o.vocab) : undefined,
      });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        return;
      }
      const L = s.tokenLengths;
      const chosen = new Set(s.vocabulary.tags);
      const lines = [
        `images with EXIF: ${s.images}`,
        `token lengths ([CLS] + text + [SEP]): p50 ${L.p50}, p90 ${L.p90}, p95 ${L.p95}, p99 ${L.p99}, max ${L.max}, mean ${L.mean.toFixed(1)}`,
        `max length ${s.maxLength}: ${s.truncated} of ${s.images} texts would be truncated`,
        `chosen tags (${s.vocabulary.tags.length}, present in >= ${(s.vocabulary.threshold * 100).toFixed(0)}% of images, in text order):`,
        `  ${s.vocabulary.tags.join(', ')}`,
        'tag frequencies (* = chosen):',
        ...Object.entries(s.vocabulary.frequency).map(([k, f]) => `  ${chosen.has(k) ? '*' : ' '} ${(f * 100).toFixed(1).padStart(5)}%  ${k}`),
        `example: ${s.example}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
