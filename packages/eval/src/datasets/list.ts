/**
 * listDataset: one layout per dataset (see each loader's header for its folders and rules),
 * then, unless `check: false`, every listed image and mask has its header read so that
 * unreadable files are problems of the listing (their samples left out).
 */
import sharp from 'sharp';
import { listCasia } from './casia.ts';
import { listColumbia } from './columbia.ts';
import { listDso1 } from './dso1.ts';
import { listFolder } from './folder.ts';
import { listGenerated } from './generated.ts';
import { listHays } from './hays.ts';
import { listInTheWild } from './in-the-wild.ts';
import { listRealisticTampering } from './realistic-tampering.ts';
import { Collector, openRoot, walkTree } from './tree.ts';
import { DATASET_NAMES, isDatasetName, type DatasetListing, type DatasetName, type ListOptions } from './types.ts';

const LAYOUTS: Record<DatasetName, (c: Collector, opts: ListOptions) => void | Promise<void>> = {
  columbia: listColumbia,
  dso1: listDso1,
  'realistic-tampering': listRealisticTampering,
  'in-the-wild': listInTheWild,
  hays: listHays,
  casia1: listCasia,
  casia2: listCasia,
  folder: listFolder,
  generated: (c, opts) => listGenerated(c, opts.jpeg === true),
};

/** How many headers are read at once. */
const CHECK_CONCURRENCY = 8;

/** Why sharp cannot read this file's header, or null when it can. */
async function headerProblem(path: string): Promise<string | null> {
  try {
    const m = await sharp(path).metadata();
    if (!m.width || !m.height) return 'no image size in the header';
    return null;
  } catch (e) {
    return String((e as Error).message ?? e).split('\n')[0];
  }
}

async function checkReadable(c: Collector): Promise<void> {
  const samples = c.list();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < samples.length) {
      const s = samples[next++];
      const bad = await headerProblem(s.image);
      if (bad !== null) {
        c.drop(s.name);
        c.problems.push({ path: s.image, reason: `unreadable image: ${bad}` });
        continue;
      }
      const badMask = s.mask === null ? null : await headerProblem(s.mask);
      if (badMask !== null && s.mask !== null) {
        c.drop(s.name);
        c.problems.push({ path: s.mask, reason: `unreadable mask of ${s.name}: ${badMask}` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, samples.length) }, worker));
}

/**
 * Lists a splice dataset: its samples sorted by name and the problems found (a spliced image
 * without a mask, a mask without an image, an unreadable file or manifest...). Throws an Error
 * naming the root and the expected layout when the root does not exist or has none of the
 * layout's folders.
 */
export async function listDataset(name: DatasetName, root: string, opts: ListOptions = {}): Promise<DatasetListing> {
  if (!isDatasetName(name)) throw new Error(`listDataset: unknown dataset '${String(name)}' (one of ${DATASET_NAMES.join(', ')})`);
  const abs = await openRoot(name, root);
  const c0: Collector['problems'] = [];
  const tree = await walkTree(abs, c0);
  const c = new Collector(name, tree);
  c.problems.push(...c0);
  await LAYOUTS[name](c, opts);
  if (opts.check !== false) await checkReadable(c);
  return c.finish();
}
