import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  colormap, colormapTable, robustRange, renderReport, sortRows, writeHeatmapOverlay, writeHeatmapPng, writeMaskPng, writeReport,
  writeRgbPng, writeThumbnail, type ReportOptions, type ReportRow,
} from '../src/render/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'exiflang-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** deterministic uniform [0, 1) numbers */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function decode(path: string): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { channels } = await sharp(path).metadata();
  // sharp widens greyscale to RGB on raw output unless told to keep it
  const img = channels === 1 ? sharp(path).toColourspace('b-w') : sharp(path);
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

const px = (rgb: Uint8Array, i = 0) => [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]];

describe('colormap', () => {
  it('coolwarm: blue at lo, light grey at the midpoint, red at hi (the seaborn/matplotlib colours)', () => {
    const c = colormap([0, 0.25, 0.5, 0.75, 1], 0, 1);
    expect(px(c, 0)).toEqual([59, 76, 192]);
    expect(px(c, 2)).toEqual([221, 221, 221]);
    expect(px(c, 4)).toEqual([180, 4, 38]);
    // matplotlib's coolwarm at the quarter points, within rounding
    for (const [i, want] of [[1, [141, 176, 254]], [3, [244, 154, 123]]] as const) {
      px(c, i).forEach((v, k) => expect(Math.abs(v! - want[k]!)).toBeLessThanOrEqual(1));
    }
  });

  it('inferno: black to pale yellow, with increasing lightness', () => {
    const c = colormap([0, 0.5, 1], 0, 1, 'inferno');
    expect(px(c, 0)).toEqual([0, 0, 4]);
    expect(px(c, 2)).toEqual([252, 255, 164]);
    const lut = colormapTable('inferno');
    const lum = (i: number) => 0.2126 * lut[3 * i]! + 0.7152 * lut[3 * i + 1]! + 0.0722 * lut[3 * i + 2]!;
    for (let i = 64; i < lut.length / 3; i += 64) expect(lum(i)).toBeGreaterThan(lum(i - 64));
  });

  it('scales by [lo, hi] and clamps outside it; NaN takes lo', () => {
    const c = colormap([-5, 10, 20, 30, 1e9, -Infinity, Infinity, NaN], 10, 30);
    const [lo, mid, hi] = [px(colormap([0], 0, 1)), px(colormap([0.5], 0, 1)), px(colormap([1], 0, 1))];
    expect(px(c, 0)).toEqual(lo);
    expect(px(c, 1)).toEqual(lo);
    expect(px(c, 2)).toEqual(mid);
    expect(px(c, 3)).toEqual(hi);
    expect(px(c, 4)).toEqual(hi);
    expect(px(c, 5)).toEqual(lo);
    expect(px(c, 6)).toEqual(hi);
    expect(px(c, 7)).toEqual(lo);
  });

  it('a zero-width range: below lo, at it and above map to the ends and the middle', () => {
    const c = colormap([1, 2, 3], 2, 2);
    expect(px(c, 0)).toEqual(px(colormap([0], 0, 1)));
    expect(px(c, 1)).toEqual(px(colormap([0.5], 0, 1)));
    expect(px(c, 2)).toEqual(px(colormap([1], 0, 1)));
    expect(() => colormap([0], 1, 0)).toThrow(/range/);
  });
});

describe('robustRange', () => {
  it('ignores a few huge outliers (small map, sorted)', () => {
    const r = rng(1);
    const v = new Float32Array(100 * 100).map(() => r());
    for (let i = 0; i < 50; i++) v[i * 37] = i % 2 ? 1e6 : -1e6;
    const [lo, hi] = robustRange(v);
    expect(lo).toBeGreaterThan(0);
    expect(lo).toBeLessThan(0.03);
    expect(hi).toBeGreaterThan(0.97);
    expect(hi).toBeLessThan(1);
  });

  it('matches the sorted percentiles exactly on a large map (histogram path), with NaN and outliers', () => {
    const r = rng(2);
    const n = 600 * 500;
    const v = new Float32Array(n).map(() => (r() - 0.3) * 2);
    for (let i = 0; i < 400; i++) v[(i * 7919) % n] = i % 3 === 0 ? -3e7 : 5e8;
    for (let i = 0; i < 20; i++) v[(i * 104729) % n] = i % 2 ? NaN : Infinity;
    const finite = Float32Array.from(v.filter(Number.isFinite)).sort();
    const pct = (q: number) => {
      const rank = q * (finite.length - 1);
      const i = Math.floor(rank);
      return finite[i]! + (rank - i) * (finite[i + 1]! - finite[i]!);
    };
    for (const p of [1, 2.5, 10]) {
      const [lo, hi] = robustRange(v, p);
      expect(lo).toBeCloseTo(pct(p / 100), 12);
      expect(hi).toBeCloseTo(pct(1 - p / 100), 12);
    }
    const [lo, hi] = robustRange(v);
    expect(lo).toBeGreaterThan(-0.6);
    expect(hi).toBeLessThan(1.4);
  });

  it('never returns lo == hi', () => {
    expect(robustRange(new Float32Array(10).fill(3))).toEqual([2.5, 3.5]);
    expect(robustRange(new Float32Array(200_000).fill(-1))).toEqual([-1.5, -0.5]);
    // nearly all one value: falls back to the full extent
    const flat = new Float32Array(100_000);
    flat[5] = 2;
    expect(robustRange(flat)).toEqual([0, 2]);
    expect(robustRange(new Float32Array([NaN, NaN]))).toEqual([0, 1]);
  });
});

describe('pictures', () => {
  const width = 37, height = 23, n = width * height;
  const r = rng(3);
  const photo = { width, height, data: new Uint8Array(n * 3).map(() => Math.floor(r() * 256)) };
  const heat = new Float32Array(n).map((_, i) => Math.sin(i / 17) * 3 + 1);

  it('mask PNG: 1-channel, exactly 255 where spliced and 0 elsewhere', async () => {
    const mask = new Uint8Array(n).map((_, i) => (i % 5 === 0 || i % 7 === 0 ? 1 : 0));
    const path = join(dir, 'sub', 'mask.png');
    await writeMaskPng(path, width, height, mask);
    const got = await decode(path);
    expect([got.width, got.height, got.channels]).toEqual([width, height, 1]);
    expect([...got.data]).toEqual([...mask].map((m) => m * 255));
  });

  it('RGB PNG: the bytes come back unchanged', async () => {
    const path = join(dir, 'pca.png');
    await writeRgbPng(path, width, height, photo.data);
    const got = await decode(path);
    expect([got.width, got.height, got.channels]).toEqual([width, height, 3]);
    expect(Buffer.compare(got.data, Buffer.from(photo.data))).toBe(0);
  });

  it('bare heat map PNG: the colour map of the values over the given range', async () => {
    const path = join(dir, 'heat.png');
    await writeHeatmapPng(path, width, height, heat, [-1, 3]);
    const got = await decode(path);
    expect([got.width, got.height, got.channels]).toEqual([width, height, 3]);
    expect(Buffer.compare(got.data, Buffer.from(colormap(heat, -1, 3)))).toBe(0);
  });

  it('overlay: every pixel is (1 - alpha) * photo + alpha * colour within 1', async () => {
    for (const [alpha, range] of [[undefined, undefined], [0.3, [0, 2]]] as const) {
      const path = join(dir, `overlay-${alpha ?? 'default'}.png`);
      await writeHeatmapOverlay(path, photo, heat, { alpha, range: range ? [...range] : undefined });
      const got = await decode(path);
      expect([got.width, got.height, got.channels]).toEqual([width, height, 3]);
      const a = alpha ?? 0.55;
      const [lo, hi] = range ?? robustRange(heat);
      const colour = colormap(heat, lo, hi);
      let worst = 0;
      for (let i = 0; i < n * 3; i++) worst = Math.max(worst, Math.abs(got.data[i]! - ((1 - a) * photo.data[i]! + a * colour[i]!)));
      expect(worst).toBeLessThanOrEqual(1);
    }
  });

  it('rejects mismatched sizes', async () => {
    await expect(writeMaskPng(join(dir, 'x.png'), width, height, new Uint8Array(n - 1))).rejects.toThrow(/37x23/);
    await expect(writeHeatmapOverlay(join(dir, 'x.png'), photo, new Float32Array(n + 1))).rejects.toThrow(/heat map/);
  });

  it('thumbnail: fits maxSide keeping the aspect, never enlarges; JPEG or PNG by extension', async () => {
    const big = { width: 300, height: 120, data: new Uint8Array(300 * 120 * 3).fill(90) };
    await writeThumbnail(join(dir, 't.jpg'), big, 100);
    const meta = await sharp(join(dir, 't.jpg')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 100, 40]);
    await writeThumbnail(join(dir, 't.png'), photo, 512);
    const small = await decode(join(dir, 't.png'));
    expect([small.width, small.height]).toEqual([width, height]);
    await expect(writeThumbnail(join(dir, 't.gif'), photo, 64)).rejects.toThrow(/\.png/);
  });

  it('writes atomically: no temporary files left behind', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('report', () => {
  const row = (name: string, pmap: number | undefined, extra: Partial<ReportRow> = {}): ReportRow => ({
    name, image: `img/${name}.jpg`, truth: `truth/${name}.png`, heatmap: `heat/${name}.png`, mask: `mask/${name}.png`, pca: `pca/${name}.png`,
    score: pmap ?? 0, metrics: pmap === undefined ? { mcc: 0.1 } : { pmap, mcc: pmap / 2 }, ...extra,
  });
  const rows = [
    row('middle', 0.5), row('best', 0.9), row('no-pmap', undefined), row('worst', 0.1, { spliced: true, note: 'a <b>note</b>' }),
    row('<script>alert("x")</script> & co', 0.3, { truth: undefined }),
  ];
  const opts: ReportOptions = {
    title: 'Columbia & "friends"',
    summary: [{ name: 'ours', metrics: { pmap: 0.71, mcc: 0.4 } }, { name: 'noise <residual>', metrics: { pmap: 0.52, cIoU: 0.6 } }],
    rows,
    notes: ['checkpoint <latest>'],
  };

  it('sorts worst first by the key (default p-mAP), rows without it last', () => {
    expect(sortRows(rows).map((r) => r.name)).toEqual(['worst', rows[4]!.name, 'middle', 'best', 'no-pmap']);
    expect(sortRows(rows, 'score')[0]!.name).toBe('no-pmap');
  });

  it('writes index.html with the rows worst first, escaped strings and only relative paths', async () => {
    const path = await writeReport(join(dir, 'report'), opts);
    expect(path).toBe(join(dir, 'report', 'index.html'));
    const html = readFileSync(path, 'utf8');
    expect(html).toBe(renderReport(opts));
    const order = ['worst', '&lt;script&gt;', 'middle', 'best', 'no-pmap'].map((s) => html.indexOf(`. ${s}`));
    expect(order.every((p) => p > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // escaping
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(html).toContain('<title>Columbia &amp; &quot;friends&quot;</title>');
    expect(html).toContain('a &lt;b&gt;note&lt;/b&gt;');
    expect(html).toContain('noise &lt;residual&gt;');
    expect(html).toContain('checkpoint &lt;latest&gt;');
    // summary on top, with every metric of every method
    expect(html.indexOf('noise &lt;residual&gt;')).toBeLessThan(html.indexOf('. worst'));
    for (const k of ['<th class="sorted">pmap</th>', '<th>mcc</th>', '<th>cIoU</th>', '0.710', '0.520']) expect(html).toContain(k);
    // self-contained: no URLs, every picture a relative path
    expect(html).not.toMatch(/https?:|\/\/|<link|<script/i);
    const srcs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(srcs.length).toBe(5 * 5 - 1); // one row has no ground truth
    for (const s of srcs) expect(s).toMatch(/^(img|truth|heat|mask|pca)\//);
    expect(srcs).toContain('img/%3Cscript%3Ealert(%22x%22)%3C/script%3E%20%26%20co.jpg');
    expect(html).toContain('no ground truth');
    expect(readdirSync(join(dir, 'report'))).toEqual(['index.html']);
  });

  it('refuses absolute paths and URLs for pictures', async () => {
    for (const bad of ['/tmp/a.png', 'http://example.com/a.png', 'C:\\a.png', 'data:image/png;base64,AAAA']) {
      await expect(writeReport(join(dir, 'bad'), { ...opts, rows: [row('a', 0.5, { image: bad })] })).rejects.toThrow(/relative/);
    }
  });
});
