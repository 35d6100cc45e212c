/**
 * A generic folder of images and masks, matched by stem, anywhere under the root.
 *
 * A file is a mask when its stem ends in `_mask` or `_gt`, or when it lies in a folder named
 * `masks` (or `mask`, `gt`, `groundtruth`, `ground-truth`, or ending in `_GT`); every other
 * image file is an image. The mask of `<dir>/<stem>.<ext>` is the first that exists of:
 *
 *   1. `<dir>/<stem>_mask.*`, `<dir>/<stem>_gt.*`                  beside it
 *   2. `<images→masks>/<stem>{,_mask,_gt}.*`                         the same place under the
 *      `masks/` folder that sits where the path's last `images/` folder is (ROOT/images/a/x.jpg
 *      -> ROOT/masks/a/x.png)
 *   3. `<dir>/../masks/`, `<dir>/masks/`, `<dir>_GT/` with `<stem>{,_mask,_gt}.*`
 *
 * with .png tried first. An image without a mask is authentic; a mask that no image claims is
 * reported. Masks: grey > 0 = spliced.
 */
import { joinRel, layoutError, nameParts, type Collector, isDatasetImage } from './tree.ts';

const MASK_FOLDERS = new Set(['masks', 'mask', 'gt', 'groundtruth', 'ground-truth', 'ground_truth']);

function isMaskFile(rel: string): boolean {
  const p = nameParts(rel);
  if (/_(mask|gt)$/i.test(p.stem)) return true;
  return p.dir !== '' && p.dir.split('/').some((s) => MASK_FOLDERS.has(s.toLowerCase()) || /_gt$/i.test(s));
}

/** The folders (each with the stems to try) where the mask of an image in `dir` may be. */
function maskPlaces(dir: string, stem: string): [string, string[]][] {
  const all = [stem, `${stem}_mask`, `${stem}_gt`];
  const places: [string, string[]][] = [[dir, [`${stem}_mask`, `${stem}_gt`]]];
  const seg = dir === '' ? [] : dir.split('/');
  const at = seg.map((s) => s.toLowerCase()).lastIndexOf('images');
  if (at >= 0) places.push([[...seg.slice(0, at), 'masks', ...seg.slice(at + 1)].join('/'), all]);
  const parent = seg.slice(0, -1).join('/');
  if (seg.length > 0) places.push([joinRel(parent, 'masks'), all]);
  places.push([joinRel(dir, 'masks'), all]);
  if (seg.length > 0) places.push([joinRel(parent, `${seg[seg.length - 1]}_GT`), all]);
  return places;
}

export function listFolder(c: Collector): void {
  const { tree } = c;
  let images = 0;
  for (const f of tree.files) {
    if (!isDatasetImage(f)) continue;
    if (isMaskFile(f)) {
      c.maskCandidate(f);
      continue;
    }
    images++;
    const p = nameParts(f);
    let mask: string | undefined;
    for (const [dir, stems] of maskPlaces(p.dir, p.stem)) {
      const d = tree.dir(dir);
      if (d === undefined) continue;
      for (const s of stems) {
        const hit = tree.find(d, s);
        if (hit !== undefined && hit !== f && isMaskFile(hit)) {
          mask = hit;
          break;
        }
      }
      if (mask !== undefined) break;
    }
    if (mask === undefined) c.authentic(f);
    else c.spliced(f, mask, '');
  }
  if (images === 0) throw layoutError(c.dataset, tree.root, 'holds no images', 'image files with masks matched by stem (ROOT/images + ROOT/masks, <stem>_mask.png / <stem>_gt.png beside, or a masks/ folder)');
}
