/** Picks the source for a path: a folder, a manifest (.csv/.jsonl), or tar shard(s). */
import { stat } from 'node:fs/promises';
import { folderSource, listFolder, type FolderListing } from './folder.ts';
import { manifestSource, type ManifestOptions } from './manifest.ts';
import type { Sample } from './sample.ts';
import { webDatasetSource } from './webdataset.ts';

export interface OpenedSource {
  kind: 'folder' | 'manifest' | 'webdataset';
  samples: () => AsyncGenerator<Sample>;
  /** For folders: the files that were not images or shards. */
  listing?: FolderListing;
}

export async function openSource(path: string, options: ManifestOptions = {}): Promise<OpenedSource> {
  const st = await stat(path);
  if (st.isDirectory()) {
    const listing = await listFolder(path);
    return { kind: 'folder', listing, samples: () => folderSource(path, listing) };
  }
  if (/\.(csv|jsonl?)$/i.test(path)) return { kind: 'manifest', samples: () => manifestSource(path, options) };
  if (/\.tar$/i.test(path)) return { kind: 'webdataset', samples: () => webDatasetSource([path]) };
  throw new Error(`${path}: not a folder, a .csv/.jsonl manifest or a .tar shard`);
}
