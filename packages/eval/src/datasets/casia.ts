/**
 * CASIA v1.0 and v2.0 (Dong et al.), with the community ground truth (Pham et al.):
 *
 *   casia1: ROOT/Au/*  ROOT/Tp/Sp/*  ROOT/CASIA 1.0 groundtruth/Sp/<stem>_gt.png   (official loader)
 *   casia2: ROOT/Au/*  ROOT/Tp/*     ROOT/CASIA 2 Groundtruth/<stem>_gt.png        (the official
 *           loader names the folder CASIA2.0_Groundtruth)
 *   flat:   Au_* / Tp_* (CASIA 1: Sp_*) images and <stem>_gt.png masks side by side, anywhere
 *           under the root
 *
 * The rule, one for every arrangement: under the root, a file whose stem ends in `_gt` or that
 * lies in a folder whose name contains 'groundtruth' is a mask of the image with that stem
 * (less `_gt`); an image under an `Au/` folder or named `Au_*` is authentic; one under `Tp/` or
 * named `Tp_*`/`Sp_*` is tampered and needs a mask. Other images are reported and left out.
 *
 * CASIA 1 follows its official loader in taking only the splices (Tp/Sp, names `Sp_D_*`): its
 * copy-moves (Tp/CM, names `Sp_S_*`) and their masks are left out silently. CASIA 2's official
 * loader takes every Tp image, copy-moves (`Tp_S_*`) included, and so do we.
 * Masks: grey > 0 = tampered; those not at the image's size are resized (nearest).
 */
import { layoutError, nameParts, type Collector, isDatasetImage } from './tree.ts';

function segments(dir: string): string[] {
  return dir === '' ? [] : dir.toLowerCase().split('/');
}

function inGroundTruth(dir: string): boolean {
  return segments(dir).some((s) => s.replace(/[\s_.-]/g, '').includes('groundtruth'));
}

export function listCasia(c: Collector): void {
  const { tree } = c;
  const v1 = c.dataset === 'casia1';
  const isCopyMove = (rel: string): boolean => {
    const p = nameParts(rel);
    return segments(p.dir).includes('cm') || /^(sp|tp)_s_/i.test(p.base);
  };
  const masks = new Map<string, string>();
  let tampered = 0;
  let authentic = 0;
  const images: { rel: string; spliced: boolean }[] = [];
  for (const f of tree.files) {
    if (!isDatasetImage(f)) continue;
    const p = nameParts(f);
    const gtName = p.stem.toLowerCase().endsWith('_gt');
    if (gtName || inGroundTruth(p.dir)) {
      if (v1 && isCopyMove(f)) continue;
      const key = (gtName ? p.stem.slice(0, -3) : p.stem).toLowerCase();
      const prev = masks.get(key);
      if (prev !== undefined) {
        c.problem(f, `ignored: a second mask for '${key}' (using ${prev})`);
        continue;
      }
      masks.set(key, f);
      c.maskCandidate(f);
      continue;
    }
    const seg = segments(p.dir);
    if (seg.includes('tp') || /^(tp|sp)_/i.test(p.base)) {
      tampered++;
      if (v1 && isCopyMove(f)) continue;
      images.push({ rel: f, spliced: true });
    } else if (seg.includes('au') || /^au_/i.test(p.base)) {
      authentic++;
      images.push({ rel: f, spliced: false });
    } else c.problem(f, 'ignored: neither under Au/ or Tp/ nor named Au_* / Tp_* / Sp_*');
  }
  if (tampered + authentic === 0) {
    const gt = v1 ? 'CASIA 1.0 groundtruth/Sp/<stem>_gt.png' : 'CASIA 2 Groundtruth/<stem>_gt.png';
    throw layoutError(c.dataset, tree.root, 'has neither Au/ nor Tp/ images nor Au_*/Tp_* files', `ROOT/Au/*, ROOT/${v1 ? 'Tp/Sp' : 'Tp'}/* and ROOT/${gt}, or Tp_* images with <stem>_gt.png masks beside them`);
  }
  for (const { rel, spliced } of images) {
    if (!spliced) {
      c.authentic(rel);
      continue;
    }
    const { stem } = nameParts(rel);
    c.spliced(rel, masks.get(stem.toLowerCase()), `${stem}_gt.png anywhere under the root`);
  }
}
