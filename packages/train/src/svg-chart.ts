/**
 * A minimal line-chart renderer to SVG text: panels side by side, each with axes, "nice"
 * ticks, polylines (optionally dashed) and a legend. No dependencies, so the same SVG renders
 * through sharp (librsvg) to PNG anywhere.
 */

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  color: string;
  dashed?: boolean;
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** fixed x start (default: the smallest x) */
  xMin?: number;
  /** fixed y range ends (default: the data's, padded) */
  yMin?: number;
  yMax?: number;
}

export interface ChartOptions {
  title: string;
  panelWidth?: number;
  height?: number;
}

const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10000 || a < 0.001) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

function range(values: number[], fixedLo?: number, fixedHi?: number): [number, number] {
  let lo = fixedLo ?? Math.min(...values);
  let hi = fixedHi ?? Math.max(...values);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi === lo) {
    hi = lo + (lo === 0 ? 1 : Math.abs(lo) * 0.1);
    if (fixedLo === undefined) lo -= (hi - lo) / 2;
  }
  const pad = (hi - lo) * 0.05;
  return [fixedLo ?? lo - pad, fixedHi ?? hi + pad];
}

function panelSvg(p: Panel, x0: number, w: number, h: number): string {
  const m = { l: 64, r: 16, t: 70, b: 48 };
  const pw = w - m.l - m.r;
  const ph = h - m.t - m.b;
  const pts = p.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const [xlo, xhi] = range(pts.map(([x]) => x), p.xMin ?? (pts.length ? Math.min(...pts.map(([x]) => x)) : 0));
  const [ylo, yhi] = range(pts.map(([, y]) => y), p.yMin, p.yMax);
  const sx = (x: number) => x0 + m.l + ((x - xlo) / (xhi - xlo)) * pw;
  const sy = (y: number) => m.t + ph - ((y - ylo) / (yhi - ylo)) * ph;
  const parts: string[] = [];
  parts.push(`<text x="${x0 + m.l + pw / 2}" y="${m.t - 44}" text-anchor="middle" font-size="15" font-weight="bold">${esc(p.title)}</text>`);
  for (const t of niceTicks(ylo, yhi)) {
    parts.push(`<line x1="${x0 + m.l}" x2="${x0 + m.l + pw}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${x0 + m.l - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(xlo, xhi)) {
    parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${m.t + ph}" y2="${m.t + ph + 4}" stroke="#333"/>`);
    parts.push(`<text x="${sx(t)}" y="${m.t + ph + 17}" text-anchor="middle" font-size="11">${fmt(t)}</text>`);
  }
  parts.push(`<rect x="${x0 + m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${x0 + m.l + pw / 2}" y="${h - 10}" text-anchor="middle" font-size="12">${esc(p.xLabel)}</text>`);
  parts.push(`<text transform="translate(${x0 + 16} ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(p.yLabel)}</text>`);
  p.series.forEach((s, i) => {
    const ok = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (ok.length > 1) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${ok.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of ok.length <= 40 && !s.dashed ? ok : []) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    // Legend: two entries per row between the title and the plot.
    const lx = x0 + m.l + 8 + (i % 2) * (pw / 2);
    const ly = m.t - 22 + Math.floor(i / 2) * 14;
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${lx + 22}" y="${ly}" font-size="11">${esc(s.name)}</text>`);
  });
  if (pts.length === 0) parts.push(`<text x="${x0 + m.l + pw / 2}" y="${m.t + ph / 2}" text-anchor="middle" font-size="12" fill="#888">no data</text>`);
  return parts.join('\n');
}

export function renderChart(panels: readonly Panel[], o: ChartOptions): string {
  const w = o.panelWidth ?? 480;
  const h = o.height ?? 380;
  const top = 30;
  const body = panels.map((p, i) => `<g transform="translate(0 ${top})">${panelSvg(p, i * w, w, h)}</g>`).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w * panels.length}" height="${h + top}" font-family="${FONT}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${(w * panels.length) / 2}" y="22" text-anchor="middle" font-size="16">${esc(o.title)}</text>`,
    body,
    '</svg>',
  ].join('\n');
}
