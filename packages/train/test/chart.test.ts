import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { curvesSvg, niceTicks, writeCurves, type LogRecord } from '../src/index.ts';

const records: LogRecord[] = [
  { type: 'event', step: 0, event: 'start', elapsed: 0 },
  { type: 'train', step: 10, lr: 1e-3, loss: 3.4, accImage: 0.1, accText: 0.1, patchesPerSec: 30, elapsed: 5 },
  { type: 'train', step: 20, lr: 1e-3, loss: 9, accImage: 0.1, accText: 0.1, patchesPerSec: 30, elapsed: 10 },
  { type: 'train', step: 20, lr: 1e-3, loss: 3.1, accImage: 0.2, accText: 0.2, patchesPerSec: 30, elapsed: 10 }, // re-logged after a resume: wins
  { type: 'val', step: 20, imageToText: 0.25, textToImage: 0.2, images: 20, chance: 0.05, elapsed: 11 },
];

describe('curves', () => {
  it('picks round ticks', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3.05, 3.62)).toEqual([3.2, 3.4, 3.6]);
    expect(niceTicks(2, 2)).toEqual([2]);
  });

  it('draws the last record of each step and escapes text', () => {
    const svg = curvesSvg(records, 'run <a&b>');
    expect(svg).toContain('run &lt;a&amp;b&gt;');
    expect(svg).toContain('validation top-1 (20 images)');
    expect(svg.match(/<polyline/g)).toHaveLength(2); // loss (2 points) and chance; top-1 has one point: a dot
  });

  it('renders a PNG through sharp', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exiflang-curves-'));
    try {
      const png = await writeCurves(records, join(dir, 'curves'), 'test');
      const meta = await sharp(png).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBe(960);
      const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect(data.some((v) => v < 128)).toBe(true); // something dark was drawn
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
