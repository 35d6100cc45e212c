/**
 * The HTML report of a localization run: one self-contained page (inline CSS, no scripts, no
 * request outside the report folder) with a summary table of every method's metrics on top and
 * one row per image below (photo, ground truth, heat map, mask, PCA side by side, its metrics and
 * score), worst first by a metric. Every string is HTML-escaped; picture paths must be relative.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@exif-lang/models';

export interface ReportRow {
  name: string;
  /** relative paths (to the report dir) of the pictures */
  image: string;
  truth?: string;
  heatmap: string;
  mask: string;
  pca: string;
  score: number;
  metrics?: Record<string, number>;
  spliced?: boolean;
  note?: string;
}

export interface ReportOptions {
  title: string;
  /** rows of name -> metrics, e.g. ours and every baseline */
  summary: { name: string; metrics: Record<string, number> }[];
  rows: ReportRow[];
  /** metric the rows are sorted by, ascending (worst first); 'score' sorts by the score. Default 'pmap' */
  sortKey?: string;
  notes?: string[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** a relative picture path as a URL: forward slashes, each segment percent-encoded */
function relativeUrl(path: string, what: string): string {
  const p = path.replace(/\\/g, '/');
  if (p === '' || p.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(p)) {
    throw new Error(`writeReport: ${what} must be a path relative to the report folder, got '${path}'`);
  }
  return p.split('/').map(encodeURIComponent).join('/');
}

function fmt(v: number | undefined): string {
  if (v === undefined) return '';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 1e-3 ? v.toFixed(3) : v.toPrecision(2);
}

function keysOf(records: (Record<string, number> | undefined)[]): string[] {
  const keys = new Set<string>();
  for (const r of records) for (const k of Object.keys(r ?? {})) keys.add(k);
  return [...keys];
}

function sortValue(row: ReportRow, key: string): number {
  const v = key === 'score' ? row.score : row.metrics?.[key];
  return v === undefined || Number.isNaN(v) ? NaN : v;
}

/** rows ascending by the key (worst first); rows without it last, in their given order */
export function sortRows(rows: ReportRow[], key = 'pmap'): ReportRow[] {
  return rows
    .map((row, i) => ({ row, i, v: sortValue(row, key) }))
    .sort((a, b) => {
      const an = Number.isNaN(a.v), bn = Number.isNaN(b.v);
      if (an || bn) return an === bn ? a.i - b.i : an ? 1 : -1;
      return a.v - b.v || a.i - b.i;
    })
    .map((r) => r.row);
}

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fafafa; }
h1 { font-size: 1.5em; margin: 0 0 .5em; }
h2 { font-size: 1.1em; margin: 0 0 .4em; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: .5em 0 1em; background: #fff; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #eee; }
th.sorted { background: #dde6f5; }
.notes { color: #555; }
.row { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .8em; margin: 0 0 1em; }
.meta { color: #555; margin: 0 0 .4em; }
.tag { display: inline-block; padding: 0 .5em; border-radius: 3px; font-size: .85em; margin-left: .4em; }
.tag.spliced { background: #f5d5d0; } .tag.authentic { background: #d5e8d0; }
.pics { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: .5em; }
figure { margin: 0; text-align: center; }
figure img { max-width: 100%; max-height: 360px; display: block; margin: 0 auto; background: #eee; }
figcaption { color: #666; font-size: .85em; }
.missing { height: 100%; min-height: 4em; display: flex; align-items: center; justify-content: center; color: #999; background: #f0f0f0; }
.metrics table { margin: .5em 0 0; font-size: .9em; }
`;

function metricsTable(names: string[], records: Record<string, number>[], keys: string[], sortKey: string, firstHeader: string): string {
  const head = keys.map((k) => `<th${k === sortKey ? ' class="sorted"' : ''}>${escapeHtml(k)}</th>`).join('');
  const body = records.map((r, i) => `<tr><td>${escapeHtml(names[i]!)}</td>${keys.map((k) => `<td>${escapeHtml(fmt(r[k]))}</td>`).join('')}</tr>`);
  return `<table><thead><tr><th>${escapeHtml(firstHeader)}</th>${head}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function figure(path: string | undefined, caption: string, rowName: string): string {
  const cap = `<figcaption>${escapeHtml(caption)}</figcaption>`;
  if (path === undefined) return `<figure><div class="missing">no ${escapeHtml(caption)}</div>${cap}</figure>`;
  const src = escapeHtml(relativeUrl(path, `${rowName}: ${caption}`));
  return `<figure><img loading="lazy" src="${src}" alt="${escapeHtml(`${rowName}: ${caption}`)}">${cap}</figure>`;
}

function rowHtml(row: ReportRow, index: number, sortKey: string): string {
  const tag = row.spliced === undefined ? '' : row.spliced ? '<span class="tag spliced">spliced</span>' : '<span class="tag authentic">authentic</span>';
  const metrics = { score: row.score, ...(row.metrics ?? {}) };
  const keys = Object.keys(metrics);
  const pics = [
    figure(row.image, 'photo', row.name),
    figure(row.truth, 'ground truth', row.name),
    figure(row.heatmap, 'heat map', row.name),
    figure(row.mask, 'mask', row.name),
    figure(row.pca, 'PCA', row.name),
  ].join('');
  return `<section class="row" id="row-${index + 1}">
<h2>${index + 1}. ${escapeHtml(row.name)}${tag}</h2>
${row.note === undefined ? '' : `<p class="meta">${escapeHtml(row.note)}</p>`}
<div class="pics">${pics}</div>
<div class="metrics">${metricsTable([row.name], [metrics], keys, sortKey, 'image')}</div>
</section>`;
}

/** The report page as a string (see writeReport). */
export function renderReport(opts: ReportOptions): string {
  const sortKey = opts.sortKey ?? 'pmap';
  const rows = sortRows(opts.rows, sortKey);
  const summaryKeys = keysOf(opts.summary.map((s) => s.metrics));
  const notes = opts.notes ?? [];
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(opts.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body>',
    `<h1>${escapeHtml(opts.title)}</h1>`,
    notes.length ? `<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '',
    opts.summary.length ? metricsTable(opts.summary.map((s) => s.name), opts.summary.map((s) => s.metrics), summaryKeys, sortKey, 'method') : '',
    `<p class="meta">${rows.length} image${rows.length === 1 ? '' : 's'}, worst first by ${escapeHtml(sortKey)}.</p>`,
    ...rows.map((r, i) => rowHtml(r, i, sortKey)),
    '</body></html>',
  ];
  return `${parts.filter((p) => p !== '').join('\n')}\n`;
}

/**
 * Writes `dir/index.html` (atomically, creating `dir`): the summary table on top, then one row per
 * image worst first by `sortKey` (default 'pmap'). Picture paths are relative to `dir`.
 * Returns the index.html path.
 */
export async function writeReport(dir: string, opts: ReportOptions): Promise<string> {
  const html = renderReport(opts);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'index.html');
  writeFileAtomic(path, [new TextEncoder().encode(html)]);
  return path;
}
