/**
 * A folder of photos, walked recursively in sorted order (so ids and "first N" are stable).
 * Tar files found in it are read as WebDataset shards; other files are counted, not yielded.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isImageName, type Sample } from './sample.ts';
import { webDatasetSource } from './webdataset.ts';

export interface FolderListing {
  images: string[];
  shards: string[];
  /** Files that are neither images nor shards (README, manifests, ...). */
  ignored: string[];
}

export async function listFolder(root: string): Promise<FolderListing> {
  const out: FolderListing = { images: [], shards: [], ignored: [] };
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (!e.isFile() && !e.isSymbolicLink()) continue;
      else if (isImageName(e.name)) out.images.push(p);
      else if (/\.tar$/i.test(e.name)) out.shards.push(p);
      else out.ignored.push(p);
    }
  };
  await walk(root);
  return out;
}

export async function* folderSource(root: string, listing?: FolderListing): AsyncGenerator<Sample> {
  const l = listing ?? (await listFolder(root));
  for (const p of l.images) yield { id: relative(root, p), source: 'folder', path: p };
  if (l.shards.length > 0) yield* webDatasetSource(l.shards, root);
}
