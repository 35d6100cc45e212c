/**
 * Hays & Efros scene completion: every image is manipulated (a region filled from another
 * photo), its mask beside it.
 *
 *   ROOT/<name>.<ext>  +  ROOT/<name>_mask.<ext>   (the official loader: a flat folder; a file
 *                                                 whose stem ends in 'mask' is a mask; the mask
 *                                                 has the image's extension, else .jpg)
 *   ROOT/scene_completion/<name>.<ext> + ROOT/scene_completion_GT/<name>_mask.png  (general loader)
 *
 * Mask: grey > 0 = spliced.
 */
import { layoutError, nameParts, type Collector, isDatasetImage, MASK_EXTENSIONS } from './tree.ts';

export function listHays(c: Collector): void {
  const { tree } = c;
  const general = tree.dir('scene_completion');
  const pairs: [string, string][] = [['', '']];
  if (general !== undefined) pairs.push([general, tree.dir('scene_completion_GT') ?? 'scene_completion_GT']);
  let images = 0;
  for (const [imgDir, maskDir] of pairs) {
    const isMask = (f: string) => nameParts(f).stem.toLowerCase().endsWith('mask');
    for (const f of tree.filesIn(maskDir)) if (isDatasetImage(f) && isMask(f)) c.maskCandidate(f);
    for (const f of tree.filesIn(imgDir)) {
      if (!isDatasetImage(f) || isMask(f)) continue;
      images++;
      const p = nameParts(f);
      const stem = `${p.stem}_mask`;
      c.spliced(f, tree.find(maskDir, stem, [...new Set([p.ext, 'jpg', ...MASK_EXTENSIONS])]), `${maskDir ? `${maskDir}/` : ''}${stem}.${p.ext}`);
    }
  }
  if (images === 0) throw layoutError(c.dataset, tree.root, 'holds no images', 'ROOT/<name>.<ext> with ROOT/<name>_mask.<ext> beside each (or ROOT/scene_completion/ and ROOT/scene_completion_GT/)');
}
