import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpliceManifest } from '@exif-lang/data';
import { DATASET_NAMES, binarizeMask, listDataset, loadMask, readMaskPixels, resizeMaskNearest, type DatasetListing, type DatasetName, type SpliceSample } from '../src/datasets/index.ts';

type Rgb = [number, number, number];
type Fmt = 'tif' | 'png' | 'jpg' | 'palette';

let tmp = '';
const root = (name: string) => join(tmp, name);

async function encode(path: string, w: number, h: number, channels: 1 | 3, data: Uint8Array, fmt: Fmt, quality = 90): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const img = sharp(Buffer.from(data), { raw: { width: w, height: h, channels } });
  const out = fmt === 'tif' ? img.tiff() : fmt === 'jpg' ? img.jpeg({ quality }) : fmt === 'palette' ? img.png({ palette: true }) : img.png();
  await out.toFile(path);
}

/** A colour image, `pixel` giving each pixel (default: a gradient). */
async function image(path: string, fmt: Fmt, w = 24, h = 16, pixel: (x: number, y: number) => Rgb = (x, y) => [(x * 10) & 255, (y * 15) & 255, 90], quality = 90): Promise<void> {
  const d = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d.set(pixel(x, y), 3 * (y * w + x));
  await encode(path, w, h, 3, d, fmt, quality);
}

/** A grey mask: `inside(x, y)` pixels get `on`, the others `off`. */
async function greyMask(path: string, fmt: Fmt, w: number, h: number, inside: (x: number, y: number) => boolean, on = 255, off = 0): Promise<void> {
  const d = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[y * w + x] = inside(x, y) ? on : off;
  await encode(path, w, h, 1, d, fmt);
}

const rect = (x0: number, y0: number, x1: number, y1: number) => (x: number, y: number) => x >= x0 && x < x1 && y >= y0 && y < y1;

function expected(w: number, h: number, inside: (x: number, y: number) => boolean): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = inside(x, y) ? 1 : 0;
  return m;
}

const names = (l: DatasetListing) => l.samples.map((s) => s.name);
const byName = (l: DatasetListing, name: string): SpliceSample => {
  const s = l.samples.find((x) => x.name === name);
  if (!s) throw new Error(`no sample ${name} in ${names(l).join(', ')}`);
  return s;
};
const problemsOf = (l: DatasetListing) => l.problems.map((p) => [p.path.slice(l.root.length + 1), p.reason] as const);

// Columbia edge mask: red host on the left, bright-green splice from x = 24 with a (0,200,0) edge band at 24..27.
const CW = 48;
const CH = 40;
const edgeColour = (x: number): Rgb => (x < 24 ? [255, 0, 0] : x < 28 ? [0, 200, 0] : [0, 255, 0]);

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'exif-lang-datasets-'));
  const jobs: Promise<unknown>[] = [];
  // columbia
  const co = root('columbia');
  jobs.push(image(join(co, '4cam_auth/canong3_02_sub_01.tif'), 'tif'), image(join(co, '4cam_auth/nikond70_08_sub_02.tif'), 'tif'));
  jobs.push(image(join(co, '4cam_splc/canong3_nikond70_sub_01.tif'), 'tif', CW, CH), image(join(co, '4cam_splc/nikond70_kodakdcs330_sub_05.tif'), 'tif', CW, CH));
  jobs.push(image(join(co, '4cam_splc/canonxt_kodakdcs330_sub_09.tif'), 'tif')); // its edge mask is missing
  jobs.push(image(join(co, '4cam_splc/edgemask/canong3_nikond70_sub_01_edgemask.jpg'), 'jpg', CW, CH, edgeColour, 75));
  jobs.push(image(join(co, 'edgemask/nikond70_kodakdcs330_sub_05_edgemask.png'), 'png', CW, CH, edgeColour)); // the other level
  jobs.push(image(join(co, '4cam_splc/edgemask/orphan_sub_99_edgemask.jpg'), 'jpg', CW, CH, edgeColour));
  // dso1: 20x16 images, masks inverted (black = spliced), one at half size
  const ds = root('dso1');
  for (const n of ['normal-1', 'splicing-1', 'splicing-2', 'splicing-3', 'oddname-1']) jobs.push(image(join(ds, `DSO-1/${n}.png`), 'png', 20, 16));
  jobs.push(greyMask(join(ds, 'DSO-1-Fake-Images-Masks/splicing-1.png'), 'png', 20, 16, rect(4, 2, 12, 10), 0, 255));
  jobs.push(greyMask(join(ds, 'DSO-1-Fake-Images-Masks/splicing-2.png'), 'png', 10, 8, rect(2, 1, 6, 5), 0, 255));
  // realistic-tampering
  const rt = root('rt');
  jobs.push(image(join(rt, 'Canon_60D/pristine/r0a7a5b3at.TIF'), 'tif'), image(join(rt, 'Canon_60D/tampered-realistic/r1be2a3d4t.TIF'), 'tif'));
  jobs.push(image(join(rt, 'Nikon_D90/pristine/r09876abcd.TIF'), 'tif'), image(join(rt, 'Sony_A57/tampered-realistic/r5e5e5e5et.TIF'), 'tif'));
  jobs.push(image(join(rt, 'Canon_60D/ground-truth/r1be2a3d4t.PNG'), 'png', 24, 16, (x, y) => (x < 6 ? [0, 0, 0] : y < 8 ? [255, 255, 255] : [128, 128, 128])));
  // in-the-wild, with one unreadable image
  const iw = root('in-the-wild');
  jobs.push(image(join(iw, 'images/0001.jpg'), 'jpg'), image(join(iw, 'images/0002.jpg'), 'jpg'));
  jobs.push(greyMask(join(iw, 'masks/0001.png'), 'png', 24, 16, rect(3, 3, 9, 9)));
  jobs.push((async () => {
    await mkdir(join(iw, 'images'), { recursive: true });
    await writeFile(join(iw, 'images/0003.jpg'), Buffer.from('this is not a JPEG at all'));
    await greyMask(join(iw, 'masks/0003.png'), 'png', 24, 16, rect(0, 0, 2, 2));
  })());
  // hays: masks beside the images
  const hy = root('hays');
  jobs.push(image(join(hy, 'beach.jpg'), 'jpg'), greyMask(join(hy, 'beach_mask.jpg'), 'jpg', 24, 16, rect(8, 0, 24, 16)));
  jobs.push(image(join(hy, 'city.png'), 'png'), greyMask(join(hy, 'city_mask.png'), 'palette', 24, 16, rect(0, 4, 12, 12)));
  jobs.push(image(join(hy, 'lake.jpg'), 'jpg'));
  // casia1: folders as the official loader expects
  const c1 = root('casia1');
  jobs.push(image(join(c1, 'Au/Au_ani_0001.jpg'), 'jpg'), image(join(c1, 'Tp/Sp/Sp_D_CND_A_pla0005_pla0023_0281.jpg'), 'jpg'), image(join(c1, 'Tp/CM/Sp_S_CND_A_pla0016_pla0016_0196.jpg'), 'jpg'));
  jobs.push(greyMask(join(c1, 'CASIA 1.0 groundtruth/Sp/Sp_D_CND_A_pla0005_pla0023_0281_gt.png'), 'png', 24, 16, rect(1, 1, 5, 5)));
  jobs.push(greyMask(join(c1, 'CASIA 1.0 groundtruth/CM/Sp_S_CND_A_pla0016_pla0016_0196_gt.png'), 'png', 24, 16, rect(1, 1, 5, 5)));
  // casia2: folders, and the flat layout
  const c2 = root('casia2');
  jobs.push(image(join(c2, 'Au/Au_ani_00001.jpg'), 'jpg'), image(join(c2, 'Tp/Tp_D_CND_M_N_ani00018_sec00096_00138.tif'), 'tif'), image(join(c2, 'Tp/Tp_S_NRN_S_N_arc00013_arc00013_01190.jpg'), 'jpg'));
  jobs.push(greyMask(join(c2, 'CASIA 2 Groundtruth/Tp_D_CND_M_N_ani00018_sec00096_00138_gt.png'), 'png', 24, 16, rect(0, 0, 8, 8)));
  jobs.push(greyMask(join(c2, 'CASIA 2 Groundtruth/Tp_S_NRN_S_N_arc00013_arc00013_01190_gt.png'), 'png', 24, 16, rect(0, 0, 8, 8)));
  const cf = root('casia-flat');
  jobs.push(image(join(cf, 'part1/Tp_D_NRN_S_N_cha00001_cha00002_10001.jpg'), 'jpg', 24, 16), greyMask(join(cf, 'part1/Tp_D_NRN_S_N_cha00001_cha00002_10001_gt.png'), 'png', 12, 8, rect(3, 2, 9, 6)));
  jobs.push(image(join(cf, 'part2/Au_cha_30001.jpg'), 'jpg'), image(join(cf, 'part2/Tp_D_NRN_S_N_cha00003_cha00004_10002.jpg'), 'jpg'));
  jobs.push(greyMask(join(cf, 'part2/Tp_D_NRN_S_N_cha00003_cha00004_10002_gt.png'), 'png', 24, 16, rect(10, 4, 20, 12)));
  jobs.push(image(join(cf, 'part2/Tp_D_NRN_S_N_cha00005_cha00006_10003.jpg'), 'jpg')); // no _gt
  // folder
  const fo = root('folder');
  jobs.push(image(join(fo, 'images/f1.png'), 'png'), greyMask(join(fo, 'masks/f1.png'), 'png', 24, 16, rect(2, 2, 6, 6)));
  jobs.push(image(join(fo, 'images/f2.jpg'), 'jpg'), greyMask(join(fo, 'masks/zz.png'), 'png', 24, 16, rect(2, 2, 6, 6)));
  jobs.push(image(join(fo, 'other/g1.jpg'), 'jpg'), greyMask(join(fo, 'other/g1_mask.png'), 'png', 24, 16, rect(2, 2, 6, 6)));
  jobs.push(image(join(fo, 'other/g2.tif'), 'tif'), greyMask(join(fo, 'other/g2_gt.png'), 'png', 24, 16, rect(2, 2, 6, 6)));
  jobs.push(image(join(fo, 'deep/img/k1.png'), 'png'), greyMask(join(fo, 'deep/masks/k1.png'), 'png', 24, 16, rect(2, 2, 6, 6)));
  // generated: a manifest as generateSplices writes it, and one whose manifest is damaged
  const ge = root('generated');
  const gitems: [string, boolean][] = [['000000', true], ['000001', false], ['000002', true]];
  for (const [id, jpg] of gitems) {
    jobs.push(image(join(ge, `spliced/${id}.png`), 'png'), image(join(ge, `authentic/${id}.png`), 'png'));
    if (id !== '000002') jobs.push(greyMask(join(ge, `masks/${id}.png`), 'png', 24, 16, rect(5, 5, 15, 12)));
    if (jpg) jobs.push(image(join(ge, `spliced/${id}.jpg`), 'jpg'), image(join(ge, `authentic/${id}.jpg`), 'jpg'));
  }
  const box = { x: 0, y: 0, width: 24, height: 16 };
  const ref = { path: 'cam/a.jpg', make: 'A', model: 'B', width: 64, height: 64 };
  const manifest: SpliceManifest = {
    version: 1,
    options: { photos: '/photos', count: 3, seed: 1, maxSize: 1024, minSize: 128, minFraction: 0.1, maxFraction: 0.4, shapes: 'mixed', negatives: 'host', checkAll: false, jpegQuality: 90 },
    sources: { files: 2, usable: 2, cameras: 2, skipped: {}, skippedFiles: [] },
    items: gitems.map(([id, jpg]) => ({
      id,
      host: { ...ref, crop: box },
      donor: { ...ref, origin: { x: 0, y: 0 } },
      authentic: { path: ref.path, crop: box },
      region: { kind: 'rect', bbox: box, points: [] },
      areaFraction: 0.2,
      files: { spliced: `spliced/${id}.png`, mask: `masks/${id}.png`, authentic: `authentic/${id}.png`, ...(jpg ? { splicedJpeg: `spliced/${id}.jpg`, authenticJpeg: `authentic/${id}.jpg` } : {}) },
    })),
  };
  jobs.push(mkdir(ge, { recursive: true }).then(() => writeFile(join(ge, 'manifest.json'), JSON.stringify(manifest))));
  const gb = root('generated-bad');
  jobs.push(image(join(gb, 'spliced/000000.png'), 'png'), greyMask(join(gb, 'masks/000000.png'), 'png', 24, 16, rect(1, 1, 3, 3)), image(join(gb, 'authentic/000000.png'), 'png'));
  jobs.push(mkdir(gb, { recursive: true }).then(() => writeFile(join(gb, 'manifest.json'), '{"version": 1, "items": [')));
  // a corrupt mask, and an empty root
  const cm = root('corrupt-mask');
  jobs.push(image(join(cm, 'images/a.png'), 'png'), mkdir(join(cm, 'masks'), { recursive: true }).then(() => writeFile(join(cm, 'masks/a.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]))));
  jobs.push(mkdir(root('empty'), { recursive: true }));
  await Promise.all(jobs);
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('columbia', () => {
  it('labels by folder, finds edge masks at both levels, reports a missing and an orphan mask', async () => {
    const l = await listDataset('columbia', root('columbia'));
    expect(names(l)).toEqual(['4cam_auth/canong3_02_sub_01.tif', '4cam_auth/nikond70_08_sub_02.tif', '4cam_splc/canong3_nikond70_sub_01.tif', '4cam_splc/nikond70_kodakdcs330_sub_05.tif']);
    expect(l.samples.map((s) => s.spliced)).toEqual([false, false, true, true]);
    expect(byName(l, '4cam_auth/canong3_02_sub_01.tif').mask).toBeNull();
    expect(byName(l, '4cam_splc/canong3_nikond70_sub_01.tif').mask).toBe(join(root('columbia'), '4cam_splc/edgemask/canong3_nikond70_sub_01_edgemask.jpg'));
    expect(byName(l, '4cam_splc/nikond70_kodakdcs330_sub_05.tif').mask).toBe(join(root('columbia'), 'edgemask/nikond70_kodakdcs330_sub_05_edgemask.png'));
    const p = problemsOf(l);
    expect(p).toHaveLength(2);
    expect(p[0][0]).toBe('4cam_splc/canonxt_kodakdcs330_sub_09.tif');
    expect(p[0][1]).toMatch(/without a ground-truth mask.*canonxt_kodakdcs330_sub_09_edgemask\.jpg/);
    expect(p[1]).toEqual(['4cam_splc/edgemask/orphan_sub_99_edgemask.jpg', 'mask without an image']);
  });

  it('decodes green (0,255,0) and (0,200,0) as spliced, exactly on PNG and within the tolerance on JPEG', async () => {
    const l = await listDataset('columbia', root('columbia'));
    const truth = expected(CW, CH, (x) => x >= 24);
    const png = await loadMask(l, byName(l, '4cam_splc/nikond70_kodakdcs330_sub_05.tif'), CW, CH);
    expect(png).toEqual(truth);
    const jpgSample = byName(l, '4cam_splc/canong3_nikond70_sub_01.tif');
    const jpg = await loadMask(l, jpgSample, CW, CH);
    const exact = await loadMask(l, jpgSample, CW, CH, { greenTolerance: 0 });
    const wrong = (m: Uint8Array, far: number) => {
      let n = 0;
      for (let y = 0; y < CH; y++) for (let x = 0; x < CW; x++) if (Math.abs(x - 24) >= far && m[y * CW + x] !== truth[y * CW + x]) n++;
      return n;
    };
    // JPEG noise: the exact match of the official loader misses pixels, the tolerance none away from the red/green border
    expect(wrong(jpg, 4)).toBe(0);
    expect(wrong(jpg, 0)).toBeLessThanOrEqual(4 * CH);
    expect(wrong(exact, 4)).toBeGreaterThan(CW * CH * 0.05);
  });

  it('authentic images get an all-zero mask at the requested size', async () => {
    const l = await listDataset('columbia', root('columbia'));
    const m = await loadMask(l, byName(l, '4cam_auth/canong3_02_sub_01.tif'), 24, 16);
    expect(m.length).toBe(24 * 16);
    expect(m.every((v) => v === 0)).toBe(true);
  });
});

describe('dso1', () => {
  it('labels by name prefix and reports a missing mask and an unknown name', async () => {
    const l = await listDataset('dso1', root('dso1'));
    expect(names(l)).toEqual(['DSO-1/normal-1.png', 'DSO-1/splicing-1.png', 'DSO-1/splicing-2.png']);
    expect(l.samples.map((s) => s.spliced)).toEqual([false, true, true]);
    expect(byName(l, 'DSO-1/splicing-1.png').mask).toBe(join(root('dso1'), 'DSO-1-Fake-Images-Masks/splicing-1.png'));
    expect(problemsOf(l).map(([p, r]) => [p, r.split(' ')[0]])).toEqual([
      ['DSO-1/oddname-1.png', 'ignored:'],
      ['DSO-1/splicing-3.png', 'spliced'],
    ]);
  });

  it('inverts the mask (black = spliced) and resizes a smaller one (nearest)', async () => {
    const l = await listDataset('dso1', root('dso1'));
    const truth = expected(20, 16, rect(4, 2, 12, 10));
    expect(await loadMask(l, byName(l, 'DSO-1/splicing-1.png'), 20, 16)).toEqual(truth);
    expect(await loadMask(l, byName(l, 'DSO-1/splicing-2.png'), 20, 16)).toEqual(truth);
  });
});

describe('realistic-tampering', () => {
  it('lists pristine and tampered-realistic per camera with ground-truth/<stem>.PNG', async () => {
    const l = await listDataset('realistic-tampering', root('rt'));
    expect(names(l)).toEqual(['Canon_60D/pristine/r0a7a5b3at.TIF', 'Canon_60D/tampered-realistic/r1be2a3d4t.TIF', 'Nikon_D90/pristine/r09876abcd.TIF']);
    expect(l.samples.map((s) => s.spliced)).toEqual([false, true, false]);
    expect(byName(l, 'Canon_60D/tampered-realistic/r1be2a3d4t.TIF').mask).toBe(join(root('rt'), 'Canon_60D/ground-truth/r1be2a3d4t.PNG'));
    const p = problemsOf(l);
    expect(p).toHaveLength(1);
    expect(p[0][0]).toBe('Sony_A57/tampered-realistic/r5e5e5e5et.TIF');
    expect(p[0][1]).toMatch(/Sony_A57\/ground-truth\/r5e5e5e5et\.PNG/);
  });

  it('every non-black pixel of the (RGB) map is tampered, grey levels included', async () => {
    const l = await listDataset('realistic-tampering', root('rt'));
    const m = await loadMask(l, byName(l, 'Canon_60D/tampered-realistic/r1be2a3d4t.TIF'), 24, 16);
    expect(m).toEqual(expected(24, 16, (x) => x >= 6));
  });
});

describe('in-the-wild', () => {
  it('lists images with masks/<stem>.png; reports a missing mask and an unreadable image', async () => {
    const l = await listDataset('in-the-wild', root('in-the-wild'));
    expect(names(l)).toEqual(['images/0001.jpg']);
    expect(l.samples[0]).toEqual({ name: 'images/0001.jpg', image: join(root('in-the-wild'), 'images/0001.jpg'), mask: join(root('in-the-wild'), 'masks/0001.png'), spliced: true });
    const p = problemsOf(l);
    expect(p.map(([f]) => f)).toEqual(['images/0002.jpg', 'images/0003.jpg']);
    expect(p[0][1]).toMatch(/without a ground-truth mask.*masks\/0002\.png/);
    expect(p[1][1]).toMatch(/^unreadable image: /);
    expect(await loadMask(l, l.samples[0], 24, 16)).toEqual(expected(24, 16, rect(3, 3, 9, 9)));
  });

  it('without the header check the unreadable image is listed', async () => {
    const l = await listDataset('in-the-wild', root('in-the-wild'), { check: false });
    expect(names(l)).toEqual(['images/0001.jpg', 'images/0003.jpg']);
  });
});

describe('hays', () => {
  it('pairs <name>.<ext> with <name>_mask.<ext> (JPEG and palette PNG masks)', async () => {
    const l = await listDataset('hays', root('hays'));
    expect(names(l)).toEqual(['beach.jpg', 'city.png']);
    expect(byName(l, 'beach.jpg').mask).toBe(join(root('hays'), 'beach_mask.jpg'));
    expect(problemsOf(l).map(([f]) => f)).toEqual(['lake.jpg']);
    expect(await loadMask(l, byName(l, 'city.png'), 24, 16)).toEqual(expected(24, 16, rect(0, 4, 12, 12)));
    // a JPEG mask: its ringing survives > 0 near the edge; threshold 127 gives the region back
    expect(await loadMask(l, byName(l, 'beach.jpg'), 24, 16, { threshold: 127 })).toEqual(expected(24, 16, rect(8, 0, 24, 16)));
  });
});

describe('casia', () => {
  it('casia1: Au + Tp/Sp with CASIA 1.0 groundtruth/Sp; copy-moves left out', async () => {
    const l = await listDataset('casia1', root('casia1'));
    expect(names(l)).toEqual(['Au/Au_ani_0001.jpg', 'Tp/Sp/Sp_D_CND_A_pla0005_pla0023_0281.jpg']);
    expect(byName(l, 'Tp/Sp/Sp_D_CND_A_pla0005_pla0023_0281.jpg').mask).toBe(join(root('casia1'), 'CASIA 1.0 groundtruth/Sp/Sp_D_CND_A_pla0005_pla0023_0281_gt.png'));
    expect(l.problems).toEqual([]);
  });

  it('casia2: Au + Tp with CASIA 2 Groundtruth/<stem>_gt.png, copy-moves included', async () => {
    const l = await listDataset('casia2', root('casia2'));
    expect(names(l)).toEqual(['Au/Au_ani_00001.jpg', 'Tp/Tp_D_CND_M_N_ani00018_sec00096_00138.tif', 'Tp/Tp_S_NRN_S_N_arc00013_arc00013_01190.jpg']);
    expect(l.samples.map((s) => s.spliced)).toEqual([false, true, true]);
    expect(l.problems).toEqual([]);
  });

  it('flat layout: Tp_* beside <stem>_gt.png anywhere under the root; a smaller mask is resized', async () => {
    const l = await listDataset('casia2', root('casia-flat'));
    expect(names(l)).toEqual(['part1/Tp_D_NRN_S_N_cha00001_cha00002_10001.jpg', 'part2/Au_cha_30001.jpg', 'part2/Tp_D_NRN_S_N_cha00003_cha00004_10002.jpg']);
    expect(l.samples.map((s) => s.spliced)).toEqual([true, false, true]);
    expect(problemsOf(l).map(([f]) => f)).toEqual(['part2/Tp_D_NRN_S_N_cha00005_cha00006_10003.jpg']);
    expect(await loadMask(l, l.samples[0], 24, 16)).toEqual(expected(24, 16, rect(6, 4, 18, 12)));
    expect(await loadMask(l, l.samples[2], 24, 16)).toEqual(expected(24, 16, rect(10, 4, 20, 12)));
    const c1 = await listDataset('casia1', root('casia-flat'));
    expect(c1.samples).toHaveLength(3);
  });
});

describe('folder', () => {
  it('matches masks by stem (images/masks, _mask, _gt, a masks/ sibling); no mask = authentic', async () => {
    const l = await listDataset('folder', root('folder'));
    const fo = root('folder');
    expect(l.samples.map((s) => [s.name, s.spliced, s.mask && s.mask.slice(fo.length + 1)])).toEqual([
      ['deep/img/k1.png', true, 'deep/masks/k1.png'],
      ['images/f1.png', true, 'masks/f1.png'],
      ['images/f2.jpg', false, null],
      ['other/g1.jpg', true, 'other/g1_mask.png'],
      ['other/g2.tif', true, 'other/g2_gt.png'],
    ]);
    expect(problemsOf(l)).toEqual([['masks/zz.png', 'mask without an image']]);
  });
});

describe('generated', () => {
  it('lists each item as a spliced image with its mask and an authentic negative; reports a missing mask', async () => {
    const l = await listDataset('generated', root('generated'));
    expect(l.samples.map((s) => [s.name, s.spliced])).toEqual([
      ['authentic/000000.png', false],
      ['authentic/000001.png', false],
      ['authentic/000002.png', false],
      ['spliced/000000.png', true],
      ['spliced/000001.png', true],
    ]);
    expect(byName(l, 'spliced/000001.png').mask).toBe(join(root('generated'), 'masks/000001.png'));
    expect(problemsOf(l).map(([f, r]) => [f, r.split(' ').slice(0, 2).join(' ')])).toEqual([
      ['masks/000002.png', 'mask of'],
      ['spliced/000002.png', 'spliced image'],
    ]);
    expect(await loadMask(l, byName(l, 'spliced/000000.png'), 24, 16)).toEqual(expected(24, 16, rect(5, 5, 15, 12)));
  });

  it('jpeg: true prefers the JPEG re-saves and says where an item has none', async () => {
    const l = await listDataset('generated', root('generated'), { jpeg: true });
    expect(names(l)).toEqual(['authentic/000000.jpg', 'authentic/000001.png', 'authentic/000002.jpg', 'spliced/000000.jpg', 'spliced/000001.png']);
    expect(l.problems.filter((p) => /no JPEG re-save/.test(p.reason)).map((p) => p.path.slice(l.root.length + 1))).toEqual(['authentic/000001.png', 'spliced/000001.png']);
  });

  it('an unreadable manifest is a problem and the folders are listed by id', async () => {
    const l = await listDataset('generated', root('generated-bad'));
    expect(names(l)).toEqual(['authentic/000000.png', 'spliced/000000.png']);
    expect(problemsOf(l)).toHaveLength(1);
    expect(problemsOf(l)[0][0]).toBe('manifest.json');
    expect(problemsOf(l)[0][1]).toMatch(/^unreadable manifest/);
  });
});

describe('errors and decoding', () => {
  it('a root that does not exist is an Error naming it', async () => {
    const missing = join(tmp, 'no-such-dataset');
    await expect(listDataset('columbia', missing)).rejects.toThrow(`columbia: dataset root '${missing}' does not exist`);
  });

  it('a root with none of the layout is an Error naming the root and what was expected', async () => {
    await expect(listDataset('columbia', root('empty'))).rejects.toThrow(/columbia: '.*empty' has neither 4cam_auth\/ nor 4cam_splc\/; expected ROOT\/4cam_auth/);
    await expect(listDataset('dso1', root('columbia'))).rejects.toThrow(/DSO-1/);
    for (const name of DATASET_NAMES) await expect(listDataset(name, root('empty')), name).rejects.toThrow(new RegExp(`^${name}: '.*empty'.*expected`));
    await expect(listDataset('nope' as DatasetName, root('empty'))).rejects.toThrow(/unknown dataset 'nope'/);
  });

  it('an unreadable mask: a problem of the checked listing, an Error naming the file from loadMask', async () => {
    const checked = await listDataset('folder', root('corrupt-mask'));
    expect(checked.samples).toEqual([]);
    expect(problemsOf(checked)[0][0]).toBe('masks/a.png');
    expect(problemsOf(checked)[0][1]).toMatch(/^unreadable mask of images\/a\.png/);
    const l = await listDataset('folder', root('corrupt-mask'), { check: false });
    const mask = join(root('corrupt-mask'), 'masks/a.png');
    await expect(loadMask(l, l.samples[0], 24, 16)).rejects.toThrow(`folder: cannot decode mask '${mask}'`);
    await expect(loadMask(l, l.samples[0], 0, 16)).rejects.toThrow(/positive integers/);
  });

  it('readMaskPixels gives grey masks as RGB; binarize and resize rules', async () => {
    const px = await readMaskPixels(join(root('folder'), 'masks/f1.png'));
    expect([px.width, px.height]).toEqual([24, 16]);
    const grey = { width: 3, height: 1, channels: 1 as const, data: new Uint8Array([0, 1, 255]) };
    expect([...binarizeMask(grey, { kind: 'grey', inverted: false })]).toEqual([0, 1, 1]);
    expect([...binarizeMask(grey, { kind: 'grey', inverted: true })]).toEqual([1, 0, 0]);
    const rgb = { width: 4, height: 1, channels: 3 as const, data: new Uint8Array([0, 255, 0, 0, 200, 0, 255, 0, 0, 30, 180, 35]) };
    expect([...binarizeMask(rgb, { kind: 'green' })]).toEqual([1, 1, 0, 1]);
    expect([...binarizeMask(rgb, { kind: 'green' }, { greenTolerance: 0 })]).toEqual([1, 1, 0, 0]);
    expect([...resizeMaskNearest(new Uint8Array([1, 0, 0, 1]), 2, 2, 4, 2)]).toEqual([1, 1, 0, 0, 0, 0, 1, 1]);
  });
});
