/**
 * The photos a probe runs on: the data package's index of a folder (EXIF, EXIF text with the
 * folder's own tag vocabulary, size), built once into a cache folder and reused, plus a hash of
 * every file's bytes (the feature cache's key: a re-saved photo is a different image).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildIndex, exifToText, indexPaths, readIndex, readVocabulary, type ExifValue, type IndexEntry, type TagSubset, type ValueMode } from '@exif-lang/data';

export interface ProbeImage {
  id: string;
  path: string;
  /** sha1 of the file's bytes */
  hash: string;
  width: number;
  height: number;
  exif: Record<string, ExifValue>;
  /** EXIF as text (the index's vocabulary) */
  text: string;
  make: string;
  model: string;
}

export interface PhotoSetOptions {
  /** where the index goes (one sub-folder per photo folder) */
  cacheDir: string;
  /** smallest side kept (a patch must fit) */
  minSize: number;
  /**
   * The text ablation a checkpoint was trained with (its run config's data.text): texts are
   * then rewritten from the EXIF with the index's tag vocabulary and these settings.
   */
  text?: { subset?: TagSubset; values?: ValueMode };
}

function str(v: ExifValue | undefined): string {
  return typeof v === 'string' ? v.trim() : '';
}

/** The folder's index in the cache, built on first use. */
async function photoIndex(dir: string, opts: PhotoSetOptions): Promise<string> {
  const root = resolve(dir);
  const key = createHash('sha1').update(`${root}\u0000${opts.minSize}`).digest('hex').slice(0, 12);
  const index = join(opts.cacheDir, `index-${key}`, 'index.jsonl');
  if (!existsSync(index)) await buildIndex(root, index, { minSize: opts.minSize });
  return index;
}

/** The tag vocabulary the folder's texts are written with (for texts of photos outside it). */
export async function photoSetTags(dir: string, opts: PhotoSetOptions): Promise<readonly string[]> {
  return (await readVocabulary(indexPaths(await photoIndex(dir, opts)).vocabulary)).tags;
}

export async function loadPhotoSet(dir: string, opts: PhotoSetOptions): Promise<ProbeImage[]> {
  const index = await photoIndex(dir, opts);
  const entries: IndexEntry[] = await readIndex(index);
  const t = opts.text;
  const rewrite = t && ((t.subset ?? 'all') !== 'all' || (t.values ?? 'normalized') !== 'normalized');
  const tags = rewrite ? (await readVocabulary(indexPaths(index).vocabulary)).tags : undefined;
  return entries
    .filter((e) => Math.min(e.width, e.height) >= opts.minSize)
    .map((e) => {
      const file = resolve(e.path); // the index was built from the absolute root: absolute paths
      return {
        id: e.id, path: file, hash: createHash('sha1').update(readFileSync(file)).digest('hex'),
        width: e.width, height: e.height, exif: e.exif, text: rewrite ? exifToText({ tags: e.exif }, { tags, subset: t?.subset, values: t?.values }) : e.text, make: str(e.exif.Make), model: str(e.exif.Model),
      };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
