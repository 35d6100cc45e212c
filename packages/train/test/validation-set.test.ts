/**
 * The validation crops: fixed for a seed, and cut on the training run's crop grid
 * (`data.cropAlign`) so an aligned model is validated on the distribution it trained on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { CLIP_MEAN, CLIP_STD, ExifTokenizer, decodeImage, loadStreamEntries, type IndexEntry } from '@exif-lang/data';
import { loadValidationSet, type ValidationSet } from '../src/index.ts';

const P = 16;
let dir = '';
let entries: IndexEntry[] = [];
const pixels = new Map<string, { width: number; data: Uint8Array }>();

/** Every pixel different enough that a crop matches its image at one offset only. */
function noise(width: number, height: number, seed: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let i = 0; i < px.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    px[i] = s & 0xff;
  }
  return px;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'exiflang-valset-'));
  for (let i = 0; i < 3; i++) {
    const [w, h] = [75 + 9 * i, 61 + 4 * i];
    // PNG: lossless, so the crop's values identify its offset exactly
    const png = await sharp(noise(w, h, 7 + i), { raw: { width: w, height: h, channels: 3 } })
      .png().withExif({ IFD0: { Make: `Make${i}`, Model: `Model ${i}` } }).toBuffer();
    writeFileSync(join(dir, `img${i}.png`), png);
  }
  entries = (await loadStreamEntries(dir)).entries;
  for (const e of entries) {
    const d = await decodeImage(join(dir, e.id));
    if (!d.ok) throw new Error(`fixture ${e.id}`);
    pixels.set(e.id, { width: e.width, data: d.image.data });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The (x, y) offsets in its image where crop `r` of the set matches every sampled pixel. */
function offsetsOf(set: ValidationSet, r: number, e: IndexEntry): [number, number][] {
  const img = pixels.get(e.id)!;
  const crop = set.images.subarray(r * P * P * 3, (r + 1) * P * P * 3);
  const found: [number, number][] = [];
  for (let y = 0; y + P <= e.height; y++) {
    for (let x = 0; x + P <= e.width; x++) {
      let ok = true;
      for (let k = 0; ok && k < P * P * 3; k += 37) {
        const [py, px, c] = [Math.floor(k / (P * 3)), Math.floor(k / 3) % P, k % 3];
        const v = img.data[((y + py) * img.width + x + px) * 3 + c];
        ok = Math.abs(crop[k] - (v / 255 - CLIP_MEAN[c]) / CLIP_STD[c]) < 1e-4;
      }
      if (ok) found.push([x, y]);
    }
  }
  return found;
}

async function load(cropAlign?: number): Promise<ValidationSet> {
  const set = await loadValidationSet({ entries, seed: 3, patchSize: P, workers: 0, tokenizer: new ExifTokenizer({ maxLength: 16 }), crops: 8, cropAlign });
  if (!set) throw new Error('no validation set');
  return set;
}

describe('loadValidationSet', () => {
  it('cuts every crop on the grid given by cropAlign, and anywhere without it', async () => {
    const aligned = await load(8);
    const free = await load();
    expect(aligned.crops).toBe(24);
    expect(free.crops).toBe(24);
    const off: number[] = [];
    for (const [set, align] of [[aligned, 8], [free, 1]] as const) {
      for (let r = 0; r < set.crops; r++) {
        const e = entries.find((x) => x.id === set.sources[r])!;
        const at = offsetsOf(set, r, e);
        expect(at).toHaveLength(1);
        const [x, y] = at[0];
        if (align === 8) expect([x % 8, y % 8]).toEqual([0, 0]);
        else off.push((x % 8) + (y % 8));
      }
    }
    // 24 unaligned draws (fixed by the seed) that all landed on the grid would mean the option leaks
    expect(off.some((v) => v > 0)).toBe(true);
  });
});
