/**
 * Realistic Tampering (Korus & Huang):
 *
 *   ROOT/<camera>/pristine/*.TIF               authentic
 *   ROOT/<camera>/tampered-realistic/*.TIF     tampered
 *   ROOT/<camera>/ground-truth/<stem>.PNG      their maps
 *
 * with the cameras Canon_60D, Nikon_D90, Nikon_D7000 and Sony_A57 (any folder of the root
 * that holds pristine/ or tampered-realistic/ counts as a camera). The official loader reads
 * the map as grey and takes every non-zero pixel as tampered (its grey levels included), so
 * loadMask does the same.
 */
import { joinRel, layoutError, nameParts, type Collector, isDatasetImage } from './tree.ts';

export const RT_CAMERAS: readonly string[] = ['Canon_60D', 'Nikon_D90', 'Nikon_D7000', 'Sony_A57'];
const PRISTINE = 'pristine';
const TAMPERED = 'tampered-realistic';
const GT = 'ground-truth';

export function listRealisticTampering(c: Collector): void {
  const { tree } = c;
  const cameras = tree.dirsIn('').filter((d) => tree.dir(joinRel(d, PRISTINE)) !== undefined || tree.dir(joinRel(d, TAMPERED)) !== undefined);
  if (cameras.length === 0) {
    throw layoutError(c.dataset, tree.root, 'has no camera folder with pristine/ or tampered-realistic/', `ROOT/{${RT_CAMERAS.join(',')}}/{pristine,tampered-realistic}/*.TIF and ROOT/<camera>/ground-truth/*.PNG`);
  }
  for (const cam of cameras) {
    const gt = tree.dir(joinRel(cam, GT));
    if (gt !== undefined) for (const f of tree.filesIn(gt)) if (isDatasetImage(f)) c.maskCandidate(f);
    for (const [sub, spliced] of [[PRISTINE, false], [TAMPERED, true]] as const) {
      const dir = tree.dir(joinRel(cam, sub));
      if (dir === undefined) continue;
      for (const f of tree.filesIn(dir)) {
        const p = nameParts(f);
        if (p.ext !== 'tif' && p.ext !== 'tiff') {
          if (isDatasetImage(f)) c.problem(f, 'ignored: not a .TIF image');
          continue;
        }
        if (spliced) c.spliced(f, gt === undefined ? undefined : tree.find(gt, p.stem, ['png', 'tif', 'tiff', 'jpg']), `${cam}/${GT}/${p.stem}.PNG`);
        else c.authentic(f);
      }
    }
  }
}
