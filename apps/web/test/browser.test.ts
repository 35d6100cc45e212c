/**
 * The page in a real browser: Debian's chromium (never a downloaded one), headless, WebGPU on
 * SwiftShader, driven by playwright-core. The test makes its own data: a random-weight model
 * saved as a training checkpoint (16 px patches), a small synthetic camera zoo (JPEGs with
 * EXIF) and a cross-camera splice of it (PNG). It runs `exiflang localize` on the splice, serves
 * the page with `exiflang web`, picks the file in the page and checks that the page's score and
 * pictures equal the CLI's result.json and PNGs, that its decoder gives sharp's pixels, and that
 * no request left 127.0.0.1.
 *
 * Tolerances (the same WGSL kernels, but SwiftShader vs lavapipe and possibly other kernel
 * variants, e.g. subgroup or not, so float sums round differently): score within 1e-4
 * relative; heat-map overlay and PCA picture: mean absolute difference under 1 grey level and
 * 99% of pixel channels within 2; mask: at least 99% of pixels equal.
 */
import { describe, it, beforeAll, afterAll, expect } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { getGpu } from '@exif-lang/kernels';
import { ExifClip, saveTrainingCheckpoint } from '@exif-lang/models';
import { decodeImage, generateSplices, generateSynthZoo, type RgbImage } from '@exif-lang/data';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/chromium.ts';
import { compareBytes } from './compare.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'apps/cli/src/main.ts');

let tmp: string;
let ckpt: string;
let splice: string;
let jpeg: string;
let server: ChildProcess | undefined;
let origin: string;
let browser: Browser | undefined;
let page: Page;
const requests: string[] = [];

async function decoded(path: string): Promise<RgbImage> {
  const d = await decodeImage(path);
  if (!d.ok) throw new Error(`${path}: ${d.reason}`);
  return d.image;
}

/** Starts `exiflang web --port 0` and resolves with the address it prints. */
function startServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    server = spawn('npx', ['tsx', CLI, 'web', '--checkpoint', ckpt, '--port', '0'], { cwd: ROOT, env: { ...process.env, EXIFLANG_QUIET: '1' } });
    let out = '';
    let err = '';
    server.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /exiflang web: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    server.once('exit', (code) => reject(new Error(`exiflang web exited (${code}): ${err}`)));
  });
}

/** A canvas's pixels as RGB (or one grey channel) bytes. */
async function canvasBytes(testid: string, channels: 1 | 3): Promise<{ width: number; height: number; data: Uint8Array }> {
  const r = await page.evaluate(([id, ch]) => {
    const c = document.querySelector(`[data-testid="${id}"]`) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const out = new Uint8Array((d.length / 4) * ch);
    for (let i = 0, j = 0; i < d.length; i += 4) for (let k = 0; k < ch; k++) out[j++] = d[i + k]!;
    let s = '';
    for (let i = 0; i < out.length; i += 0x8000) s += String.fromCharCode(...out.subarray(i, i + 0x8000));
    return { width: c.width, height: c.height, base64: btoa(s) };
  }, [testid, channels] as const);
  return { width: r.width, height: r.height, data: new Uint8Array(Buffer.from(r.base64, 'base64')) };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: bash scripts/setup.sh installs Debian's chromium`);
  tmp = mkdtempSync(join(tmpdir(), 'exiflang-web-'));
  const gpu = await getGpu({ quiet: true });
  const model = new ExifClip(gpu, {
    image: { block: 'basic', layers: [1, 1, 1, 1], stem: 8, widths: [8, 8, 16, 16], embed: 16 },
    text: { vocab: 30522, dim: 16, maxPositions: 16, layers: 1, heads: 2, ffn: 32 },
    seed: 5,
  });
  ckpt = join(tmp, 'model.safetensors');
  await saveTrainingCheckpoint(ckpt, { model, config: { data: { patchSize: 16 }, model: { text: { heads: 2 } } } });
  model.dispose();
  const zoo = join(tmp, 'zoo');
  await generateSynthZoo({ cameras: 3, images: 6, seed: 2, out: zoo, minSize: 300, maxSize: 340 });
  const splices = join(tmp, 'splices');
  await generateSplices({ photos: zoo, out: splices, count: 1, seed: 4, maxSize: 320 });
  splice = join(splices, 'spliced', '00000.png');
  jpeg = join(zoo, readdirSync(zoo, { recursive: true }).map(String).find((f) => f.endsWith('.jpg'))!);
  await run('npx', ['tsx', CLI, 'localize', '--checkpoint', ckpt, '--out', join(tmp, 'cli'), splice], { cwd: ROOT, env: { ...process.env, EXIFLANG_QUIET: '1' } });
  origin = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  context.on('request', (r) => requests.push(r.url()));
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.error(`[page] ${m.text()}`); });
  await page.goto(origin);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the web page in headless Chromium', () => {
  it('decodes PNG exactly like sharp and JPEG within one grey level', async () => {
    for (const [path, type] of [[splice, 'image/png'], [jpeg, 'image/jpeg']] as const) {
      const ref = await decoded(path);
      const got = await page.evaluate(async ([b64, t]) => {
        const f = (globalThis as unknown as { exiflangDecode: (b: string, t: string) => Promise<{ width: number; height: number; base64: string }> }).exiflangDecode;
        return f(b64, t);
      }, [readFileSync(path).toString('base64'), type] as const);
      expect([got.width, got.height]).toEqual([ref.width, ref.height]);
      const c = compareBytes(new Uint8Array(Buffer.from(got.base64, 'base64')), ref.data);
      console.info(`decode ${type}: max |diff| ${c.max}, mean ${c.mean.toFixed(4)}, ${(c.within(0) * 100).toFixed(2)}% identical`);
      if (type === 'image/png') expect(c.max).toBe(0);
      else expect(c.max).toBeLessThanOrEqual(1);
    }
  });

  it("localizes a picked splice with the server's checkpoint: score and pictures equal exiflang localize's", async () => {
    const t0 = Date.now();
    await page.getByTestId('image-input').setInputFiles(splice);
    await page.waitForSelector('[data-testid="score"][data-image="00000.png"]', { timeout: 540_000 });
    console.info(`browser: heat map after ${((Date.now() - t0) / 1000).toFixed(1)} s; ${await page.getByTestId('status').textContent()}`);
    const dir = join(tmp, 'cli', '00000');
    const cli = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as { score: number };
    const score = Number(await page.getByTestId('score').getAttribute('data-value'));
    expect(Number(await page.getByTestId('score').textContent())).toBeCloseTo(score, 4);
    console.info(`score: browser ${score}, CLI ${cli.score}, relative difference ${Math.abs(score - cli.score) / Math.abs(cli.score)}`);
    expect(Math.abs(score - cli.score)).toBeLessThanOrEqual(1e-4 * Math.abs(cli.score));
    for (const [id, file, ch] of [['heatmap', 'heatmap.png', 3], ['pca', 'pca.png', 3], ['mask', 'mask.png', 1]] as const) {
      const got = await canvasBytes(id, ch);
      const ref = await decoded(join(dir, file));
      expect([got.width, got.height]).toEqual([ref.width, ref.height]);
      // sharp widens the grey mask PNG to RGB: compare its first channel.
      const refBytes = ch === 1 ? ref.data.filter((_, i) => i % 3 === 0) : ref.data;
      const c = compareBytes(got.data, refBytes);
      console.info(`${id}: max |diff| ${c.max}, mean ${c.mean.toFixed(4)}, ${(c.within(0) * 100).toFixed(2)}% identical`);
      if (ch === 1) expect(c.within(0)).toBeGreaterThanOrEqual(0.99);
      else {
        expect(c.mean).toBeLessThan(1);
        expect(c.within(2)).toBeGreaterThanOrEqual(0.99);
      }
    }
  });

  it('shows the EXIF a JPEG carries', async () => {
    await page.getByTestId('image-input').setInputFiles(jpeg);
    await page.waitForSelector(`[data-testid="score"][data-image="${jpeg.split('/').pop()}"]`, { timeout: 540_000 });
    const text = await page.getByTestId('exif').textContent();
    expect(text).toMatch(/Make/);
    expect(Number.isFinite(Number(await page.getByTestId('score').getAttribute('data-value')))).toBe(true);
  });

  it('made no request to any host but the 127.0.0.1 server', () => {
    expect(requests.length).toBeGreaterThan(3);
    const away = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(away).toEqual([]);
  });
});
