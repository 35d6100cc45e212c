/**
 * DSO-1 (Carvalho et al., illumination-based forgery detection):
 *
 *   ROOT/DSO-1/{normal,splicing}-<n>.png        200 images; the category is the name up to the first '-'
 *   ROOT/DSO-1-Fake-Images-Masks/<same name>    masks of the spliced ones
 *
 * The masks are inverted: black (grey 0) is spliced, anything brighter is authentic (the
 * official loader maps > 0 to authentic), and some are not at the image's size, so loadMask
 * resizes them (nearest neighbour; the official loader uses bilinear before thresholding).
 */
import { layoutError, nameParts, type Collector, isDatasetImage } from './tree.ts';

const IMAGES = 'DSO-1';
const MASKS = 'DSO-1-Fake-Images-Masks';

export function listDso1(c: Collector): void {
  const { tree } = c;
  const images = tree.dir(IMAGES);
  if (images === undefined) throw layoutError(c.dataset, tree.root, 'has no DSO-1/ folder', 'ROOT/DSO-1/{normal,splicing}-*.png and ROOT/DSO-1-Fake-Images-Masks/<same name>.png');
  const masks = tree.dir(MASKS);
  if (masks !== undefined) for (const f of tree.filesIn(masks)) if (isDatasetImage(f)) c.maskCandidate(f);
  for (const f of tree.filesIn(images)) {
    if (!isDatasetImage(f)) continue;
    const p = nameParts(f);
    const category = p.stem.split('-')[0].toLowerCase();
    if (category === 'normal') c.authentic(f);
    else if (category === 'splicing') {
      const mask = masks === undefined ? undefined : (tree.file(`${masks}/${p.base}`) ?? tree.find(masks, p.stem));
      c.spliced(f, mask, `${MASKS}/${p.base}`);
    } else c.problem(f, `ignored: the name starts with neither 'normal-' nor 'splicing-'`);
  }
}
