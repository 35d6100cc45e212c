/**
 * `exiflang eval probe`: linear probes of frozen features (ours beside the random-init and
 * hand-crafted baselines) on a photo folder's camera/EXIF tasks or a CASIA-layout dataset; a
 * markdown table on stderr, per task a JSON report and confusion-matrix PNGs.
 * Also the helpers `eval zeroshot` and `check` share (options, opening photos and checkpoint).
 */
import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import {
  CASIA_SIDE, PROBE_TASKS, RANDOM_INIT_SEED, casiaFeatures, casiaLabels, checkpointKey, checkpointTextSettings, formatProbeTable, isProbeTask, loadCasia,
  loadPhotoSet, modelExtractor, openExtractor, photoFeatureSets, probeTask, randomInitExtractor, recordedCropAlign, taskLabels, writeConfusionPng,
  type CasiaFit, type FeatureSet, type OpenedExtractor, type PatchMode, type PatchPlan, type ProbeImage, type ProbeReport, type ProbeTask, type TextSettings,
} from '@exif-lang/eval';
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { writeFileAtomic } from '@exif-lang/models';
import { progressBar } from './data-progress.ts';

export const DEFAULT_CACHE = '.cache/probe';
export const DEFAULT_PATCHES = 16;

export interface PatchArgs {
  patches: number;
  patchMode: string;
  patchSize?: number;
  /** patch corners on multiples of this (default: the checkpoint's training data.cropAlign) */
  patchAlign?: number;
  seed: number;
  cache: string;
}

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
}

export function planOf(o: PatchArgs, patchSize: number, trainedAlign = 1): PatchPlan {
  if (o.patchMode !== 'grid' && o.patchMode !== 'random') throw new Error(`--patch-mode must be grid or random, got '${o.patchMode}'`);
  return { count: o.patches, size: patchSize, mode: o.patchMode as PatchMode, seed: o.seed, align: o.patchAlign ?? trainedAlign };
}

export interface OpenedProbe {
  opened: OpenedExtractor;
  key: string;
  text: TextSettings;
  plan: PatchPlan;
}

export function openProbeCheckpoint(gpu: Gpu, checkpoint: string, o: PatchArgs): OpenedProbe {
  const opened = openExtractor(gpu, checkpoint, { patchSize: o.patchSize });
  const plan = planOf(o, opened.patchSize, recordedCropAlign(checkpoint));
  return { opened, key: checkpointKey(checkpoint), text: checkpointTextSettings(checkpoint, opened.model), plan };
}

export async function openPhotos(dir: string, cache: string, minSize: number, text?: TextSettings): Promise<ProbeImage[]> {
  return loadPhotoSet(dir, { cacheDir: resolve(cache), minSize, text: text && { subset: text.subset, values: text.values } });
}

/** One progress bar per stage name, replaced when the stage changes. */
export function stagedProgress(): { update: (stage: string, done: number, total: number) => void; stop: () => void } {
  let current = '';
  let bar: ReturnType<typeof progressBar> | undefined;
  return {
    update(stage, done, total) {
      if (stage !== current) {
        bar?.stop();
        current = stage;
        bar = progressBar(stage);
      }
      bar?.update(done, total);
    },
    stop: () => bar?.stop(),
  };
}

/** The patch, seed and cache options every probe command takes. */
export function withPatchOptions(cmd: Command): Command {
  return cmd
    .option('--patches <n>', `patches per image (default ${DEFAULT_PATCHES})`, positiveInt, DEFAULT_PATCHES)
    .option('--patch-mode <m>', 'grid or random (random is seeded by the image)', 'grid')
    .option('--patch-size <px>', "patch side (default: the checkpoint's training patch, else 124)", positiveInt)
    .option('--patch-align <n>', "patch corners on multiples of n (default: the grid the checkpoint's training crops were cut on, data.cropAlign, else 1)", positiveInt)
    .option('--seed <n>', 'seed of the patches, folds, bootstrap and swaps', (v) => Number.parseInt(v, 10), 0)
    .option('--cache <dir>', 'feature and index cache (a second run does not re-embed)', DEFAULT_CACHE);
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileAtomic(resolve(path), [new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`)]);
}

interface ProbeArgs extends PatchArgs {
  checkpoint: string;
  photos?: string;
  casia?: string;
  dataset: string;
  fit: string;
  task: string;
  json?: string;
  folds: number;
}

function jsonPaths(json: string | undefined, task: string, many: boolean): { json: string; png: (method: string) => string } {
  const base = json ? resolve(json).replace(/\.json$/, '') : resolve(`probe-${task}`);
  const stem = many && json ? `${base}.${task}` : base; // without --json: probe-<task>.json in the working folder
  return { json: `${stem}.json`, png: (m) => `${stem}.confusion${m === 'ours' ? '' : `.${m}`}.png` };
}

async function writeOutputs(r: ProbeReport, paths: ReturnType<typeof jsonPaths>, note: (s: string) => void): Promise<void> {
  writeJson(paths.json, r);
  const methods: [string, ProbeReport['ours']][] = [['ours', r.ours], ...Object.entries(r.baselines)];
  for (const [m, s] of methods) await writeConfusionPng(paths.png(m), Int32Array.from(s.confusion), r.classes, `${r.task}: ${m}, accuracy ${(100 * s.accuracy).toFixed(1)}% (${r.images} images; rows true, columns predicted)`);
  note(`${r.task}: ${paths.json}, ${paths.png('ours')}`);
}

export async function runProbe(o: ProbeArgs, note: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<ProbeReport[]> {
  const gpu = await getGpu();
  const p = openProbeCheckpoint(gpu, o.checkpoint, o);
  const bar = stagedProgress();
  const reports: ProbeReport[] = [];
  try {
    if (o.casia) {
      if (o.dataset !== 'casia1' && o.dataset !== 'casia2') throw new Error(`--dataset must be casia1 or casia2 with --casia, got '${o.dataset}'`);
      if (o.fit !== 'resize' && o.fit !== 'crop') throw new Error(`--fit must be resize or crop, got '${o.fit}'`);
      const fit: CasiaFit = o.fit;
      const { images, problems } = await loadCasia(o.dataset, o.casia);
      if (problems) note(`${problems} file(s) of ${o.casia} left out (see 'exiflang eval splice' for the list)`);
      const ours = modelExtractor(p.opened.model, CASIA_SIDE, 'ours');
      // the same random weights as the photo probes' baseline (same seed), at the 224 px input
      const rnd224 = randomInitExtractor(gpu, { ...p.opened, patchSize: CASIA_SIDE }, RANDOM_INIT_SEED);
      try {
        const sets: FeatureSet[] = [
          { name: 'ours', features: await casiaFeatures(images, fit, ours, { cacheDir: o.cache, key: p.key, onProgress: (d, n) => bar.update('ours', d, n) }) },
          { name: 'random-init', features: await casiaFeatures(images, fit, rnd224, { cacheDir: o.cache, key: `random-init-${p.key}-${RANDOM_INIT_SEED}`, onProgress: (d, n) => bar.update('random-init', d, n) }) },
          { name: 'handcrafted', features: await casiaFeatures(images, fit, undefined, { cacheDir: o.cache, key: 'handcrafted-casia', onProgress: (d, n) => bar.update('handcrafted', d, n) }) },
        ];
        const r = await probeTask(gpu, casiaLabels(images), sets, { seed: o.seed, folds: o.folds, onProgress: (d, n) => bar.update('probe casia', d, n) });
        bar.stop();
        await writeOutputs(r, jsonPaths(o.json, 'casia', false), note);
        reports.push(r);
      } finally {
        rnd224.dispose();
      }
    } else {
      if (!o.photos) throw new Error('give --photos DIR (or --casia ROOT)');
      const tasks = o.task === 'all' ? [...PROBE_TASKS] : o.task.split(',').map((s) => s.trim());
      for (const t of tasks) if (!isProbeTask(t)) throw new Error(`--task: ${t} is not one of ${PROBE_TASKS.join(', ')} (or all)`);
      const photos = await openPhotos(o.photos, o.cache, p.plan.size);
      note(`${photos.length} photos of ${o.photos}; ${p.plan.count} ${p.plan.mode} patches of ${p.plan.size} px per image${(p.plan.align ?? 1) > 1 ? `, corners on multiples of ${p.plan.align}` : ''}`);
      const sets = await photoFeatureSets(gpu, p.opened, photos, { plan: p.plan, cacheDir: o.cache, key: p.key, onProgress: bar.update });
      for (const t of tasks as ProbeTask[]) {
        let labels;
        try {
          labels = taskLabels(t, photos);
        } catch (e) {
          note(`${t}: skipped (${(e as Error).message})`);
          continue;
        }
        if (labels.classes.length < 2) {
          note(`${t}: skipped, fewer than 2 classes (${labels.rule})`);
          continue;
        }
        const r = await probeTask(gpu, labels, sets, { seed: o.seed, folds: o.folds, onProgress: (d, n) => bar.update(`probe ${t}`, d, n) });
        bar.stop();
        await writeOutputs(r, jsonPaths(o.json, t, tasks.length > 1), note);
        reports.push(r);
      }
    }
  } finally {
    bar.stop();
    p.opened.dispose();
  }
  note(`\n${formatProbeTable(reports)}\n`);
  for (const r of reports) note(`${r.task}: ${r.rule}`);
  if (reports[0]) note(`probe: ${reports[0].solver}`);
  return reports;
}

export function registerEvalProbe(evalCmd: Command): void {
  withPatchOptions(evalCmd
    .command('probe')
    .description('linear probe of frozen features (ours, random-init, hand-crafted) on camera/EXIF tasks of a photo folder or a CASIA dataset')
    .requiredOption('--checkpoint <file>', 'our training checkpoint or .safetensors, or the official .pth')
    .option('--photos <dir>', 'photo folder (EXIF read from the files)')
    .option('--task <t>', `${PROBE_TASKS.join(', ')}, a comma list, or all`, 'make')
    .option('--casia <root>', 'CASIA-layout dataset instead of photos: authentic vs tampered')
    .option('--dataset <name>', 'casia1 or casia2 (with --casia)', 'casia2')
    .option('--fit <how>', 'CASIA inputs: resize (to 224 x 224) or crop (shorter side 224, centre crop)', 'resize')
    .option('--folds <k>', 'outer folds (fewer when the smallest class is smaller)', positiveInt, 5)
    .option('--json <file>', 'JSON report (several tasks: <file stem>.<task>.json); confusion PNGs beside it'))
    .action(async (o: ProbeArgs) => {
      await runProbe(o);
    });
}
