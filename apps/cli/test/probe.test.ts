/**
 * `exiflang eval probe`, `eval zeroshot` and `check` end to end on data the test makes: a small
 * synthetic camera zoo and a random-weight model saved as a training checkpoint (its recorded
 * patch size and text length are what the commands use). Checks outputs and their shapes, not
 * scores (the weights are random).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getGpu } from '@exif-lang/kernels';
import { ExifClip, saveTrainingCheckpoint } from '@exif-lang/models';
import { generateSynthZoo } from '@exif-lang/data';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let tmp: string;
let ckpt: string;
let zoo: string;

function exiflang(...args: string[]) {
  return run('npx', ['tsx', join(ROOT, 'apps/cli/src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, EXIFLANG_QUIET: '1' }, maxBuffer: 1 << 26 });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'exiflang-probe-'));
  const gpu = await getGpu();
  const model = new ExifClip(gpu, {
    image: { block: 'basic', layers: [1, 1, 1, 1], stem: 8, widths: [8, 8, 16, 16], embed: 16 },
    text: { vocab: 30522, dim: 16, maxPositions: 48, layers: 1, heads: 2, ffn: 32 },
    seed: 5,
  });
  ckpt = join(tmp, 'model.safetensors');
  await saveTrainingCheckpoint(ckpt, { model, config: { data: { patchSize: 32 }, model: { text: { heads: 2, maxTokens: 48 } } } });
  model.dispose();
  zoo = join(tmp, 'zoo');
  await generateSynthZoo({ cameras: 3, images: 12, seed: 4, out: zoo, minSize: 64, maxSize: 96 });
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const common = () => ['--checkpoint', ckpt, '--patches', '2', '--cache', join(tmp, 'cache')];

describe('probe commands', () => {
  it('eval probe writes the JSON report and confusion PNGs for each task', async () => {
    const json = join(tmp, 'out', 'p.json');
    const r = await exiflang('eval', 'probe', ...common(), '--photos', zoo, '--task', 'model,phone', '--folds', '2', '--json', json);
    expect(r.stderr).toContain('| model |');
    const rep = JSON.parse(readFileSync(join(tmp, 'out', 'p.model.json'), 'utf8')) as {
      task: string; images: number; classes: string[]; ours: { accuracy: number; ci: [number, number]; balancedAccuracy: number }; baselines: Record<string, { accuracy: number }>;
    };
    expect(rep.task).toBe('model');
    expect(rep.images).toBe(12);
    expect(rep.classes.length).toBe(3);
    expect(rep.ours.ci[0]).toBeLessThanOrEqual(rep.ours.accuracy);
    expect(Object.keys(rep.baselines).sort()).toEqual(['handcrafted', 'random-init']);
    expect(existsSync(join(tmp, 'out', 'p.model.confusion.png'))).toBe(true);
    expect(existsSync(join(tmp, 'out', 'p.model.confusion.handcrafted.png'))).toBe(true);
    // the features were cached: one folder per extractor with one entry per photo
    const cacheDirs = readdirSync(join(tmp, 'cache')).filter((d) => !d.startsWith('index-'));
    expect(cacheDirs.length).toBe(3);
  });

  it('eval zeroshot and check rank texts; swap evaluation gives an AUC', async () => {
    const zjson = join(tmp, 'z.json');
    await exiflang('eval', 'zeroshot', ...common(), '--photos', zoo, '--field', 'model', '--json', zjson);
    const z = JSON.parse(readFileSync(zjson, 'utf8')) as { field: string; ours: { images: number; classes: number; image: { top1: number } } };
    expect(z.field).toBe('model');
    expect(z.ours.images).toBe(12);
    expect(z.ours.classes).toBe(3);
    const img = join(zoo, 'images', readdirSync(join(zoo, 'images')).filter((f) => f.endsWith('.jpg'))[0]);
    const cjson = join(tmp, 'c.json');
    const r = await exiflang('check', ...common(), '--gallery', zoo, '--swap-eval', '--json', cjson, img);
    expect(r.stderr).toMatch(/claimed camera: .*rank \d+ of 3 cameras/);
    const c = JSON.parse(readFileSync(cjson, 'utf8')) as { results: { textRank: number; texts: number }[]; swap: { all: { auc: number; positives: number }; baselines: { 'random-init': { all: { auc: number } } } } };
    expect(c.results[0].textRank).toBeGreaterThanOrEqual(1);
    expect(c.results[0].texts).toBe(12);
    expect(c.swap.all.positives).toBe(12);
    expect(c.swap.all.auc).toBeGreaterThanOrEqual(0);
    expect(c.swap.all.auc).toBeLessThanOrEqual(1);
    expect(Number.isFinite(c.swap.baselines['random-init'].all.auc)).toBe(true);
  });
});
