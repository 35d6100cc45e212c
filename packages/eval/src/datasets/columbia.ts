/**
 * Columbia Uncompressed Image Splicing Detection Evaluation Dataset (Hsu & Chang):
 *
 *   ROOT/4cam_auth/*.tif                       authentic (183)
 *   ROOT/4cam_splc/*.tif                       spliced (180)
 *   ROOT/4cam_splc/edgemask/<stem>_edgemask.jpg  the official loader's place for the mask;
 *                                              ROOT/edgemask/ and 4cam_splc/ itself are
 *                                              accepted too
 *
 * The edge mask is a colour picture: green (0,255,0) and (0,200,0) mark the spliced region
 * (see mask.ts for the tolerance its JPEG noise needs). Labels come from the folder
 * (4cam_auth = 0, 4cam_splc = 1): the official loader computes that label but returns 1 for
 * every image, which makes its detection mAP meaningless; we do not copy that.
 */
import { isDatasetImage, joinRel, layoutError, nameParts, type Collector } from './tree.ts';

const AUTH = '4cam_auth';
const SPLC = '4cam_splc';
const TIFF = ['tif', 'tiff'];
const EXPECTED = 'ROOT/4cam_auth/*.tif, ROOT/4cam_splc/*.tif and ROOT/4cam_splc/edgemask/<stem>_edgemask.jpg';

export function listColumbia(c: Collector): void {
  const { tree } = c;
  const auth = tree.dir(AUTH);
  const splc = tree.dir(SPLC);
  if (auth === undefined && splc === undefined) throw layoutError(c.dataset, tree.root, 'has neither 4cam_auth/ nor 4cam_splc/', EXPECTED);
  const maskDirs = [...new Set([joinRel(splc ?? SPLC, 'edgemask'), 'edgemask', splc ?? SPLC])].map((d) => tree.dir(d)).filter((d) => d !== undefined);
  for (const d of maskDirs) for (const f of tree.filesIn(d)) if (nameParts(f).stem.toLowerCase().endsWith('_edgemask')) c.maskCandidate(f);
  for (const [dir, spliced] of [[auth, false], [splc, true]] as const) {
    if (dir === undefined) continue;
    for (const f of tree.filesIn(dir)) {
      const p = nameParts(f);
      if (p.stem.toLowerCase().endsWith('_edgemask')) continue;
      if (!TIFF.includes(p.ext)) {
        if (isDatasetImage(f)) c.problem(f, 'ignored: not a .tif image');
        continue;
      }
      if (!spliced) {
        c.authentic(f);
        continue;
      }
      const stem = `${p.stem}_edgemask`;
      const mask = maskDirs.map((d) => tree.find(d, stem, ['jpg', 'jpeg', 'png', 'tif', 'tiff', 'bmp'])).find((m) => m !== undefined);
      c.spliced(f, mask, `${stem}.jpg in ${maskDirs.map((d) => `${d}/`).join(', ') || `${SPLC}/edgemask/`}`);
    }
  }
}
