/**
 * `exiflang check`: does a photo's EXIF match its pixels? The image's own EXIF text is ranked
 * among a reference gallery's texts by cosine similarity to the image embedding (mean of its
 * patches); it prints that rank and where the claimed camera (Make + Model) ranks among the
 * gallery's cameras. `--swap-eval` scores the check itself on the gallery: every photo with
 * its own text (positive) and with another camera's text (negative), AUC overall and on the
 * photos a training run held apart (`--val-fraction`, the run's data.valFraction).
 */
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  RANDOM_INIT_SEED, canonicalMake, embedImages, modelExtractor, embedTexts, imageEmbedding, photoSetTags, rankCameras, rankClaim, swappedExifAuc, type ProbeImage, type SwapEvaluation,
} from '@exif-lang/eval';
import { ExifTokenizer, exifToText, readExif, splitOf, type TextOptions } from '@exif-lang/data';
import { getGpu } from '@exif-lang/kernels';
import { ExifClip } from '@exif-lang/models';
import { openPhotos, openProbeCheckpoint, stagedProgress, withPatchOptions, writeJson, type PatchArgs } from './eval-probe.ts';

interface CheckArgs extends PatchArgs {
  checkpoint: string;
  gallery?: string;
  swapEval?: boolean;
  valFraction: number;
  json?: string;
}

export interface CheckResult {
  image: string;
  text: string;
  camera: string;
  /** rank of the image's own text among the gallery's distinct texts (1 = best) */
  textRank: number;
  texts: number;
  /** rank of the claimed camera among the gallery's cameras (by each camera's best text) */
  cameraRank: number;
  cameras: number;
  score: number;
  topCameras: { camera: string; similarity: number }[];
}

interface SwapScores {
  all: SwapEvaluation;
  /** the photos the training run held apart (never trained on) */
  heldApart: SwapEvaluation | null;
}

export interface SwapReport extends SwapScores {
  baselines: { 'random-init': SwapScores };
}

const cameraOf = (p: Pick<ProbeImage, 'make' | 'model'>) => `${canonicalMake(p.make)} ${p.model}`.trim();

async function queryImage(path: string, tags: readonly string[], text: Pick<TextOptions, 'subset' | 'values'>): Promise<ProbeImage> {
  const bytes = readFileSync(path);
  const ex = await readExif(bytes);
  if (!ex.ok) throw new Error(`${path}: no EXIF to check (${ex.reason})`);
  const exif = ex.record.tags;
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  return {
    id: basename(path), path: resolve(path), hash: createHash('sha1').update(bytes).digest('hex'), width: 0, height: 0, exif,
    text: exifToText({ tags: exif }, { ...text, tags }), make: str(exif.Make), model: str(exif.Model),
  };
}

export async function runCheck(images: readonly string[], o: CheckArgs, note: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<{ results: CheckResult[]; swap?: SwapReport }> {
  if (!o.gallery) throw new Error('give --gallery DIR (the reference photos whose texts are ranked)');
  const gpu = await getGpu();
  const p = openProbeCheckpoint(gpu, o.checkpoint, o);
  const bar = stagedProgress();
  try {
    const opts = { cacheDir: resolve(o.cache), minSize: p.plan.size };
    const gallery = await openPhotos(o.gallery, o.cache, p.plan.size, p.text);
    const tags = await photoSetTags(o.gallery, opts);
    const queries = await Promise.all(images.map((im) => queryImage(im, tags, { subset: p.text.subset, values: p.text.values })));
    // candidates: the gallery's distinct texts, plus each query's own when the gallery lacks it
    const texts = [...new Set([...gallery.map((g) => g.text), ...queries.map((q) => q.text)])];
    const camera = texts.map((t) => cameraOf(gallery.find((g) => g.text === t) ?? queries.find((q) => q.text === t) ?? { make: '', model: '' }));
    const tokenizer = new ExifTokenizer({ maxLength: p.text.maxTokens });
    const textEmb = await embedTexts(p.opened.model, tokenizer, texts, (d, n) => bar.update('texts', d, n));
    const embedAll = async (list: readonly ProbeImage[], stage: string, extractor = p.opened.extractor, key = p.key) => {
      const f = await embedImages(list, extractor, { plan: p.plan, cacheDir: o.cache, key, onProgress: (d, n) => bar.update(stage, d, n) });
      const dim = f[0]?.dim ?? 0;
      const out = new Float32Array(list.length * dim);
      f.forEach((x, i) => out.set(imageEmbedding(x.patches, x.count, dim), i * dim));
      return { emb: out, dim };
    };
    const q = await embedAll(queries, 'images');
    bar.stop();
    const results: CheckResult[] = queries.map((qi, i) => {
      const e = q.emb.subarray(i * q.dim, (i + 1) * q.dim);
      const own = texts.indexOf(qi.text);
      const r = rankClaim(e, textEmb, own);
      const cams = rankCameras(e, textEmb, camera);
      const mine = cameraOf(qi);
      return {
        image: qi.path, text: qi.text, camera: mine, textRank: r.rank, texts: r.candidates, score: r.score,
        cameraRank: cams.findIndex((c) => c.camera === mine) + 1, cameras: cams.length, topCameras: cams.slice(0, 3),
      };
    });
    for (const r of results) {
      note(`${r.image}\n  claimed camera: ${r.camera}: rank ${r.cameraRank} of ${r.cameras} cameras; its EXIF text ranks ${r.textRank} of ${r.texts} (score ${r.score.toFixed(3)}, 1 = best match)`);
      note(`  best matching cameras: ${r.topCameras.map((c) => `${c.camera} (${c.similarity.toFixed(3)})`).join(', ')}`);
    }
    let swap: SwapReport | undefined;
    if (o.swapEval) {
      const held = gallery.map((x, i) => (splitOf(x.id, o.valFraction) === 'val' ? i : -1)).filter((i) => i >= 0);
      const own = gallery.map((x) => texts.indexOf(x.text));
      const evaluate = (emb: Float32Array, tEmb: Float32Array) => ({
        all: swappedExifAuc(emb, tEmb, own, camera, o.seed),
        heldApart: held.length ? swappedExifAuc(emb, tEmb, own, camera, o.seed, held) : null,
      });
      const g = await embedAll(gallery, 'gallery', p.opened.extractor, p.key);
      const ours = evaluate(g.emb, textEmb);
      // baseline: the same architecture with random weights in both towers (the probes' seed and cache)
      const random = new ExifClip(gpu, { ...p.opened.model.config, seed: RANDOM_INIT_SEED });
      random.eval();
      let baseline: ReturnType<typeof evaluate>;
      try {
        const rg = await embedAll(gallery, 'random-init', modelExtractor(random, p.plan.size), `random-init-${p.key}-${RANDOM_INIT_SEED}`);
        baseline = evaluate(rg.emb, await embedTexts(random, tokenizer, texts));
      } finally {
        random.dispose();
      }
      bar.stop();
      swap = { ...ours, baselines: { 'random-init': baseline } };
      for (const [name, r] of [['ours', ours], ['random-init', baseline]] as const) {
        note(`swapped-EXIF check on ${o.gallery}, ${name}: AUC ${r.all.auc.toFixed(3)} over ${r.all.positives} own + ${r.all.negatives} swapped texts (median rank own ${r.all.medianOwnRank}, swapped ${r.all.medianSwappedRank} of ${texts.length})`);
        if (r.heldApart) note(`  held-apart photos (val fraction ${o.valFraction}): AUC ${r.heldApart.auc.toFixed(3)} over ${r.heldApart.positives} + ${r.heldApart.negatives} (median rank own ${r.heldApart.medianOwnRank}, swapped ${r.heldApart.medianSwappedRank})`);
      }
    }
    if (o.json) writeJson(o.json, { results, swap });
    return { results, swap };
  } finally {
    bar.stop();
    p.opened.dispose();
  }
}

export function registerCheck(program: Command): void {
  withPatchOptions(program
    .command('check')
    .argument('[images...]', 'photos whose EXIF is checked against their pixels')
    .description("metadata consistency: rank each image's own EXIF text among a gallery's texts by similarity to its pixels, and where its claimed camera ranks")
    .requiredOption('--checkpoint <file>', 'a full ExifClip checkpoint (both towers): ours or the official .pth')
    .option('--gallery <dir>', 'reference photos (their EXIF texts are the candidates)')
    .option('--swap-eval', "also score the check on the gallery: own texts vs another camera's (AUC)")
    .option('--val-fraction <f>', 'the training run\'s data.valFraction: AUC also on the photos it held apart', Number.parseFloat, 0.15)
    .option('--json <file>', 'write the results as JSON'))
    .action(async (images: string[], o: CheckArgs) => {
      await runCheck(images, o);
    });
}
