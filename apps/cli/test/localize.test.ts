/**
 * `exiflang localize` and `exiflang eval splice` end to end on data the test makes: a small
 * synthetic camera zoo, cross-camera splices of it, and a random-weight model saved as a
 * training checkpoint (its recorded patch size is what the grid uses). 16 px patches on ~500 px
 * images keep the stride at least the patch, so the voting grid stays at most 31 x 31 cells.
 */
import { describe, it, beforeAll, afterAll, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getGpu } from '@exif-lang/kernels';
import { ExifClip, saveTrainingCheckpoint } from '@exif-lang/models';
import { decodeImage, generateSplices, generateSynthZoo } from '@exif-lang/data';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let tmp: string;
let ckpt: string;
let splices: string;

function cli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('npx', ['tsx', join(ROOT, 'apps/cli/src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, EXIFLANG_QUIET: '1' }, maxBuffer: 1 << 26 });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'exiflang-localize-'));
  const gpu = await getGpu();
  const model = new ExifClip(gpu, {
    image: { block: 'basic', layers: [1, 1, 1, 1], stem: 8, widths: [8, 8, 16, 16], embed: 16 },
    text: { vocab: 30522, dim: 16, maxPositions: 16, layers: 1, heads: 2, ffn: 32 },
    seed: 3,
  });
  ckpt = join(tmp, 'model.safetensors');
  await saveTrainingCheckpoint(ckpt, { model, config: { data: { patchSize: 16 }, model: { text: { heads: 2 } } } });
  model.dispose();
  const zoo = join(tmp, 'zoo');
  await generateSynthZoo({ cameras: 3, images: 6, seed: 2, out: zoo, minSize: 480, maxSize: 520 });
  splices = join(tmp, 'splices');
  await generateSplices({ photos: zoo, out: splices, count: 2, seed: 4, maxSize: 512 });
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('exiflang localize', () => {
  it('writes heatmap, mask, PCA and result.json per image; a broken file is named and skipped', async () => {
    const bad = join(tmp, 'broken.jpg');
    writeFileSync(bad, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
    const img = join(splices, 'spliced', '00000.png');
    const out = join(tmp, 'loc');
    const { stderr } = await cli(['localize', '--checkpoint', ckpt, '--out', out, img, bad]);
    expect(stderr).toMatch(/localized 1 of 2/);
    expect(stderr).toMatch(/broken\.jpg: cannot decode/);
    const r = JSON.parse(readFileSync(join(out, '00000', 'result.json'), 'utf8'));
    const size = async (p: string): Promise<[number, number]> => {
      const d = await decodeImage(p);
      if (!d.ok) throw new Error(`${p}: ${d.reason}`);
      return [d.image.width, d.image.height];
    };
    const [w, h] = await size(img);
    expect(r.patchSize).toBe(16);
    expect(r.grid.stride).toBe(Math.max(1, Math.floor((Math.max(w, h) - 16) / 30)));
    expect(Number.isFinite(r.score)).toBe(true);
    for (const k of ['embed', 'volume', 'meanshift', 'ncuts', 'pca']) expect(r.timings[k]).toBeGreaterThanOrEqual(0);
    for (const f of ['heatmap.png', 'mask.png', 'pca.png']) {
      expect(await size(join(out, '00000', f))).toEqual([w, h]);
    }
  }, 300_000);
});

describe('exiflang eval splice', () => {
  it('prints the table for ours and the baselines, writes the summary, per-image lines and the report, and resumes', async () => {
    const json = join(tmp, 'eval', 'summary.json');
    const args = ['eval', 'splice', '--checkpoint', ckpt, '--dataset', 'generated', '--root', splices, '--json', json, '--report', join(tmp, 'eval', 'report'), '--baselines', 'noise-residual,random-map'];
    const { stderr } = await cli(args);
    expect(stderr).toMatch(/p-mAP/);
    const s = JSON.parse(readFileSync(json, 'utf8'));
    expect(s.dataset).toBe('generated');
    expect(s.images).toBe(4);
    expect(s.spliced).toBe(2);
    expect(Object.keys(s.baselines)).toEqual(['noise-residual', 'random-map']);
    for (const m of [s.ours, s.baselines['noise-residual']]) {
      expect(m.pmap).toBeGreaterThan(0);
      expect(m.pmap).toBeLessThanOrEqual(1);
      expect(m.detectionAp).toBeGreaterThan(0);
    }
    const lines = readFileSync(join(tmp, 'eval', 'summary.images.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(existsSync(join(tmp, 'eval', 'report', 'index.html'))).toBe(true);
    // A second run finds every image done and gives the same summary.
    const again = await cli(args);
    expect(again.stderr).toMatch(/resuming: 4 of 4/);
    expect(JSON.parse(readFileSync(json, 'utf8')).ours.pmap).toBe(s.ours.pmap);
  }, 600_000);
});
