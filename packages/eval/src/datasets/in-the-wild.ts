/**
 * In-the-Wild (Huh et al., "Fighting Fake News"): 201 spliced JPEGs, every one manipulated.
 *
 *   ROOT/images/*.jpg  +  ROOT/masks/<stem>.png       (the official loader)
 *   ROOT/in_the_wild/* +  ROOT/in_the_wild_GT/<stem>.png  (the official general loader)
 *
 * Mask: grey > 0 = spliced.
 */
import { layoutError, nameParts, type Collector, isDatasetImage } from './tree.ts';

const LAYOUTS: readonly [string, string][] = [
  ['images', 'masks'],
  ['in_the_wild', 'in_the_wild_GT'],
];

export function listInTheWild(c: Collector): void {
  const { tree } = c;
  const found = LAYOUTS.map(([i, m]) => [tree.dir(i), tree.dir(m) ?? m] as const).filter(([i]) => i !== undefined);
  if (found.length === 0) throw layoutError(c.dataset, tree.root, 'has no images/ folder', 'ROOT/images/*.jpg and ROOT/masks/<stem>.png (or ROOT/in_the_wild/ and ROOT/in_the_wild_GT/)');
  for (const [images, masks] of found) {
    for (const f of tree.filesIn(masks)) if (isDatasetImage(f)) c.maskCandidate(f);
    for (const f of tree.filesIn(images as string)) {
      if (!isDatasetImage(f)) continue;
      const { stem } = nameParts(f);
      c.spliced(f, tree.find(masks, stem), `${masks}/${stem}.png`);
    }
  }
}
