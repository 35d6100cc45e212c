/**
 * What a user sees: `exiflang web --checkpoint C` started, the page opened in headless
 * Chromium, IMAGE picked, and the time until the heat map is drawn; the page's score beside
 * the CLI's result.json (when given), and a screenshot of the result.
 *
 *   npx tsx apps/web/scripts/measure.ts --checkpoint C --image IMG [--cli-result DIR/result.json] [--screenshot docs/images/web.png]
 *
 * Prints one JSON line. Every request the browser makes is recorded; the script fails when one
 * left 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.ts';

const { values: o } = parseArgs({
  options: { checkpoint: { type: 'string' }, image: { type: 'string' }, 'cli-result': { type: 'string' }, screenshot: { type: 'string' } },
});
if (!o.checkpoint || !o.image) throw new Error('usage: measure.ts --checkpoint C --image IMG [--cli-result F] [--screenshot F]');
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const server = spawn('npx', ['tsx', join(ROOT, 'apps/cli/src/main.ts'), 'web', '--checkpoint', o.checkpoint, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /exiflang web: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.once('exit', (code) => reject(new Error(`exiflang web exited (${code})`)));
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    const tOpen = Date.now();
    await page.goto(origin);
    // The user picks the photo as soon as the page is up: the checkpoint may still be loading.
    const tPick = Date.now();
    await page.getByTestId('image-input').setInputFiles(o.image);
    await page.waitForSelector(`[data-testid="score"][data-image="${basename(o.image)}"]`, { timeout: 600_000 });
    const tDone = Date.now();
    const score = Number(await page.getByTestId('score').getAttribute('data-value'));
    const status = await page.getByTestId('status').textContent();
    const timings = await page.getByTestId('timings').innerText();
    if (o.screenshot) await page.screenshot({ path: o.screenshot, fullPage: true });
    const cli = o['cli-result'] ? (JSON.parse(readFileSync(o['cli-result'], 'utf8')) as { score: number }).score : undefined;
    const away = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
    process.stdout.write(`${JSON.stringify({
      image: o.image, checkpoint: o.checkpoint, pageLoadToHeatmapS: (tDone - tOpen) / 1000, pickToHeatmapS: (tDone - tPick) / 1000,
      browserScore: score, cliScore: cli, relativeDifference: cli === undefined ? undefined : Math.abs(score - cli) / Math.abs(cli),
      status, timings: timings.replace(/\s+/g, ' ').trim(), requests: requests.length, offHost: away,
    })}\n`);
    if (away.length) process.exitCode = 1;
  } finally {
    await browser.close();
  }
} finally {
  server.kill('SIGTERM');
}
