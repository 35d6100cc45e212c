/**
 * The splice generator's output (generateSplices in @exif-lang/data):
 *
 *   ROOT/manifest.json                         a SpliceManifest; paths in it are relative to ROOT
 *   ROOT/spliced/<id>.png [.jpg]  ROOT/masks/<id>.png (255 = spliced)  ROOT/authentic/<id>.png [.jpg]
 *
 * Each item gives two samples: the spliced image with its exact mask, and its authentic
 * negative. With `jpeg: true` the JPEG re-saves are used where the manifest has them (an item
 * without one falls back to its PNG and says so). A manifest that is missing or unreadable is a
 * problem, and the folders are listed by id instead (spliced/<id>.* with masks/<id>.*, and
 * authentic/<id>.*).
 */
import { readFile } from 'node:fs/promises';
import type { SpliceItem } from '@exif-lang/data';
import { layoutError, nameParts, type Collector, isDatasetImage } from './tree.ts';

const MANIFEST = 'manifest.json';

type ItemFiles = SpliceItem['files'];

function asFiles(item: unknown): { id: string; files: ItemFiles } | null {
  if (typeof item !== 'object' || item === null) return null;
  const { id, files } = item as { id?: unknown; files?: unknown };
  if (typeof id !== 'string' || typeof files !== 'object' || files === null) return null;
  const f = files as Record<string, unknown>;
  const str = (k: string) => typeof f[k] === 'string';
  if (!str('spliced') || !str('mask') || !str('authentic')) return null;
  if ((f.splicedJpeg !== undefined && !str('splicedJpeg')) || (f.authenticJpeg !== undefined && !str('authenticJpeg'))) return null;
  return { id, files: f as unknown as ItemFiles };
}

/** The relative path of a manifest entry as it is in the tree (undefined when missing), reporting it. */
function resolveEntry(c: Collector, path: string, what: string, id: string): string | undefined {
  const rel = path.replace(/\\/g, '/').replace(/^\.\//, '');
  const hit = c.tree.file(rel);
  if (hit === undefined) c.problem(rel, `${what} of item '${id}' is missing`);
  return hit;
}

function fromManifest(c: Collector, items: unknown[], jpeg: boolean): void {
  const seen = new Set<string>();
  items.forEach((raw, i) => {
    const item = asFiles(raw);
    if (item === null) {
      c.problem(MANIFEST, `item ${i} is malformed (needs id and files.spliced / mask / authentic)`);
      return;
    }
    const { id, files } = item;
    if (seen.has(id)) {
      c.problem(MANIFEST, `item ${i}: duplicate id '${id}'`);
      return;
    }
    seen.add(id);
    const pick = (png: string, jpg: string | undefined, what: string): string => {
      if (!jpeg) return png;
      if (jpg !== undefined) return jpg;
      c.problem(png, `item '${id}' has no JPEG re-save of its ${what} image; using the PNG`);
      return png;
    };
    const spliced = resolveEntry(c, pick(files.spliced, files.splicedJpeg, 'spliced'), 'spliced image', id);
    const mask = resolveEntry(c, files.mask, 'mask', id);
    if (spliced !== undefined) {
      if (mask === undefined) c.problem(spliced, `spliced image without its mask (${files.mask})`);
      else c.spliced(spliced, mask, files.mask);
    } else if (mask !== undefined) c.claim(mask);
    const authentic = resolveEntry(c, pick(files.authentic, files.authenticJpeg, 'authentic'), 'authentic image', id);
    if (authentic !== undefined) c.authentic(authentic);
  });
}

function fromFolders(c: Collector, jpeg: boolean): void {
  const { tree } = c;
  const exts = jpeg ? ['jpg', 'jpeg', 'png'] : ['png', 'jpg', 'jpeg'];
  const masks = tree.dir('masks') ?? 'masks';
  for (const f of tree.filesIn(masks)) if (isDatasetImage(f)) c.maskCandidate(f);
  for (const [folder, spliced] of [['spliced', true], ['authentic', false]] as const) {
    const dir = tree.dir(folder);
    if (dir === undefined) continue;
    const stems = [...new Set(tree.filesIn(dir).filter(isDatasetImage).map((f) => nameParts(f).stem))];
    for (const stem of stems) {
      const image = tree.find(dir, stem, exts);
      if (image === undefined) continue;
      if (spliced) c.spliced(image, tree.find(masks, stem, ['png']), `${masks}/${stem}.png`);
      else c.authentic(image);
    }
  }
}

export async function listGenerated(c: Collector, jpeg: boolean): Promise<void> {
  const { tree } = c;
  const manifest = tree.file(MANIFEST);
  if (manifest === undefined && tree.dir('spliced') === undefined) {
    throw layoutError(c.dataset, tree.root, `has neither ${MANIFEST} nor spliced/`, 'the splice generator\'s output: ROOT/manifest.json, ROOT/spliced/, ROOT/masks/, ROOT/authentic/');
  }
  let items: unknown[] | null = null;
  if (manifest === undefined) c.problem(MANIFEST, 'missing; listing spliced/, masks/ and authentic/ by id');
  else {
    try {
      const parsed: unknown = JSON.parse(await readFile(tree.abs(manifest), 'utf8'));
      const list = (parsed as { items?: unknown } | null)?.items;
      if (!Array.isArray(list)) throw new Error('no items array');
      items = list;
    } catch (e) {
      c.problem(manifest, `unreadable manifest (${(e as Error).message}); listing spliced/, masks/ and authentic/ by id`);
    }
  }
  if (items !== null) fromManifest(c, items, jpeg);
  else fromFolders(c, jpeg);
}
