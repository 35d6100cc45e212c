/**
 * The server behind `exiflang web`: the built page (apps/web/dist) and one checkpoint, on
 * 127.0.0.1 only. The page computes everything itself; the server only hands out files. A
 * Content-Security-Policy of 'self' keeps the page from reaching any other host, and requests
 * whose Host header is not this loopback address are refused (no DNS rebinding onto it).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { basename, extname, join, normalize, sep } from 'node:path';

export interface WebServerOptions {
  /** the built page (index.html + assets/) */
  dist: string;
  checkpoint: string;
  /** 0 picks a free port */
  port: number;
}

export interface WebServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.wasm': 'application/wasm',
};

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:";

function sendFile(res: ServerResponse, path: string, type: string): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': statSync(path).size, 'Content-Security-Policy': CSP, 'Cache-Control': 'no-cache' });
  createReadStream(path).pipe(res);
}

function fail(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  if (!existsSync(join(o.dist, 'index.html'))) throw new Error(`${o.dist}: the page is not built (no index.html)`);
  const ckptName = basename(o.checkpoint);
  const ckptSize = statSync(o.checkpoint).size;
  let host = '';
  const server = createServer((req, res) => {
    if (req.headers.host !== host) return fail(res, 421, `only ${host} is served`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'GET only');
    const path = decodeURIComponent(new URL(req.url ?? '/', `http://${host}`).pathname);
    if (path === '/api/checkpoint') {
      const body = JSON.stringify({ name: ckptName, size: ckptSize, url: `checkpoint/${encodeURIComponent(ckptName)}` });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      return res.end(body);
    }
    if (path === `/checkpoint/${ckptName}`) return sendFile(res, o.checkpoint, 'application/octet-stream');
    const rel = normalize(path === '/' ? 'index.html' : path.slice(1));
    const file = join(o.dist, rel);
    if (rel.startsWith('..') || !file.startsWith(o.dist + sep) || !existsSync(file) || !statSync(file).isFile()) return fail(res, 404, 'not found');
    sendFile(res, file, TYPES[extname(file)] ?? 'application/octet-stream');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('web: no TCP address');
  host = `127.0.0.1:${addr.port}`;
  return {
    url: `http://${host}/`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
