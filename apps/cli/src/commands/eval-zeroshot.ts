/**
 * `exiflang eval zeroshot`: CLIP-style zero-shot EXIF retrieval. Every photo's patches (and
 * the photo as their normalised mean) are given the nearest candidate text of a field (the
 * folder's distinct make texts, model texts, or full EXIF texts); top-1/top-5 beside chance,
 * for our checkpoint and the same architecture with random weights (both towers). The
 * hand-crafted feature has no text side, so chance is the other baseline here.
 */
import type { Command } from 'commander';
import {
  RANDOM_INIT_SEED, ZEROSHOT_FIELDS, embedImages, embedTexts, fieldCandidates, isZeroShotField, modelExtractor, zeroShotScores,
  type EmbedImage, type PatchPlan, type ZeroShotField, type ZeroShotScores,
} from '@exif-lang/eval';
import { ExifTokenizer, splitOf } from '@exif-lang/data';
import { ExifClip } from '@exif-lang/models';
import { getGpu } from '@exif-lang/kernels';
import { openPhotos, openProbeCheckpoint, stagedProgress, withPatchOptions, writeJson, type PatchArgs } from './eval-probe.ts';

interface ZeroShotArgs extends PatchArgs {
  checkpoint: string;
  photos: string;
  field: string;
  json?: string;
  heldApart?: number;
}

export interface ZeroShotReport {
  field: ZeroShotField;
  text: string;
  ours: ZeroShotScores;
  baselines: { 'random-init': ZeroShotScores };
}

async function scoresFor(model: ExifClip, tokenizer: ExifTokenizer, photos: readonly (EmbedImage & Parameters<typeof fieldCandidates>[0][number])[], field: ZeroShotField,
  plan: PatchPlan, cache: { dir: string; key: string }, values: 'normalized' | 'raw', scored: (i: number) => boolean, progress: (d: number, n: number) => void): Promise<ZeroShotScores> {
  const feats = await embedImages(photos, modelExtractor(model, plan.size), { plan, cacheDir: cache.dir, key: cache.key, onProgress: progress });
  const c = fieldCandidates(photos, field, values);
  const texts = await embedTexts(model, tokenizer, c.texts);
  // the candidates stay the whole folder's; only the scored photos count
  return zeroShotScores(feats, c.labels.map((l, i) => (scored(i) ? l : -1)), texts);
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export async function runZeroShot(o: ZeroShotArgs, note: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<ZeroShotReport[]> {
  const fields = o.field === 'all' ? [...ZEROSHOT_FIELDS] : o.field.split(',').map((s) => s.trim());
  for (const f of fields) if (!isZeroShotField(f)) throw new Error(`--field: ${f} is not one of ${ZEROSHOT_FIELDS.join(', ')} (or all)`);
  const gpu = await getGpu();
  const p = openProbeCheckpoint(gpu, o.checkpoint, o);
  // same constructor and seed as the probes' random-init baseline: the same weights, the same cache
  const random = new ExifClip(gpu, { ...p.opened.model.config, seed: RANDOM_INIT_SEED });
  random.eval();
  const bar = stagedProgress();
  const reports: ZeroShotReport[] = [];
  try {
    const tokenizer = new ExifTokenizer({ maxLength: p.text.maxTokens });
    const photos = await openPhotos(o.photos, o.cache, p.plan.size, p.text);
    note(`${photos.length} photos; texts: ${p.text.from} (tags ${JSON.stringify(p.text.subset)}, ${p.text.values} values, ${p.text.maxTokens} tokens)`);
    const frac = o.heldApart;
    const scored = (i: number) => frac === undefined || splitOf(photos[i].id, frac) === 'val';
    for (const f of fields as ZeroShotField[]) {
      const ours = await scoresFor(p.opened.model, tokenizer, photos, f, p.plan, { dir: o.cache, key: p.key }, p.text.values, scored, (d, n) => bar.update('ours', d, n));
      const rnd = await scoresFor(random, tokenizer, photos, f, p.plan, { dir: o.cache, key: `random-init-${p.key}-${RANDOM_INIT_SEED}` }, p.text.values, scored, (d, n) => bar.update('random-init', d, n));
      bar.stop();
      reports.push({ field: f, text: p.text.from, ours, baselines: { 'random-init': rnd } });
    }
  } finally {
    bar.stop();
    random.dispose();
    p.opened.dispose();
  }
  const rows = ['| field | images | candidates | method | patch top-1 | patch top-5 | image top-1 | image top-5 |', '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |'];
  for (const r of reports) {
    for (const [name, s] of [['ours', r.ours], ['random-init', r.baselines['random-init']]] as const) {
      rows.push(`| ${r.field} | ${s.images} | ${s.classes} | ${name} | ${pct(s.patch.top1)} | ${pct(s.patch.top5)} | ${pct(s.image.top1)} | ${pct(s.image.top5)} |`);
    }
    rows.push(`| ${r.field} | ${r.ours.images} | ${r.ours.classes} | chance | ${pct(r.ours.chance.top1)} | ${pct(r.ours.chance.top5)} | ${pct(r.ours.chance.top1)} | ${pct(r.ours.chance.top5)} |`);
  }
  note(`\n${rows.join('\n')}\n`);
  if (o.json) {
    writeJson(o.json, reports.length === 1 ? reports[0] : reports);
    note(`report: ${o.json}`);
  }
  return reports;
}

export function registerEvalZeroShot(evalCmd: Command): void {
  withPatchOptions(evalCmd
    .command('zeroshot')
    .description('zero-shot EXIF retrieval: classify patches and photos by the nearest candidate text of a field; top-1/top-5 against chance')
    .requiredOption('--checkpoint <file>', 'a full ExifClip checkpoint (both towers): ours or the official .pth')
    .requiredOption('--photos <dir>', 'photo folder; its distinct field texts are the candidates')
    .option('--field <f>', `${ZEROSHOT_FIELDS.join(', ')}, a comma list, or all`, 'model')
    .option('--held-apart <f>', "score only the photos a training run with this data.valFraction held apart (candidates: still the whole folder's)", Number.parseFloat)
    .option('--json <file>', 'write the scores as JSON'))
    .action(async (o: ZeroShotArgs) => {
      await runZeroShot(o);
    });
}
