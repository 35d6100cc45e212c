import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWebServer } from './web-server.ts';

const WEB_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));
const DIST = resolve(WEB_DIR, 'dist');

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port: expected 0..65535, got "${v}"`);
  return n;
}

/** Builds apps/web with its own Vite (apps/web/node_modules). */
function buildPage(): void {
  const vite = resolve(WEB_DIR, 'node_modules/vite/bin/vite.js');
  if (!existsSync(vite)) throw new Error(`${vite} is missing: run pnpm install`);
  process.stderr.write('web: building the page (vite build)\n');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: WEB_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status ?? r.signal})`);
}

export function registerWeb(program: Command): void {
  program
    .command('web')
    .description('serve the in-browser splice localization (apps/web) and a checkpoint on 127.0.0.1: the photo never leaves the browser')
    .requiredOption('--checkpoint <file>', 'the model the page loads by default (.safetensors or the official .pth)')
    .option('--port <n>', 'port on 127.0.0.1 (0: any free one)', port, 8080)
    .option('--build', 'rebuild the page even when apps/web/dist exists')
    .action(async (o: { checkpoint: string; port: number; build?: boolean }) => {
      if (!existsSync(o.checkpoint)) throw new Error(`${o.checkpoint}: no such file`);
      if (o.build || !existsSync(resolve(DIST, 'index.html'))) buildPage();
      const web = await startWebServer({ dist: DIST, checkpoint: resolve(o.checkpoint), port: o.port });
      // One line on stdout with the address (scripts and the browser test read it).
      process.stdout.write(`exiflang web: ${web.url} (checkpoint ${o.checkpoint}; Ctrl-C stops)\n`);
      const stop = () => void web.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
