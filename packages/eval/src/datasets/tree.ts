/**
 * The files under a dataset root, walked once, looked up case-insensitively (datasets ship
 * `.TIF` and `.tif`, `ground-truth/X.PNG` for `X.TIF`), and the collector every layout fills.
 *
 * Hidden entries (`.DS_Store`, macOS `._x` resource forks) and `__MACOSX/` folders, which zip
 * archives of these datasets often carry, are not part of any dataset and are skipped.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import { IMAGE_EXTENSIONS } from '@exif-lang/data';
import type { DatasetListing, DatasetName, DatasetProblem, SpliceSample } from './types.ts';

/** Image files we list: what the data package decodes, plus BMP and GIF so they are reported (sharp reads GIF, not BMP). */
export const DATASET_IMAGE_EXTENSIONS: readonly string[] = [...IMAGE_EXTENSIONS, 'bmp', 'gif'];

/** Mask extensions in the order they are tried when a layout does not fix one. */
export const MASK_EXTENSIONS: readonly string[] = ['png', 'jpg', 'jpeg', 'tif', 'tiff', 'bmp', 'gif', 'webp'];

export interface NameParts {
  /** folder relative to the root ('' for the root itself) */
  dir: string;
  base: string;
  stem: string;
  /** lower-case, without the dot ('' when none) */
  ext: string;
}

export function nameParts(rel: string): NameParts {
  const dir = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
  const base = posix.basename(rel);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? { dir, base, stem: base.slice(0, dot), ext: base.slice(dot + 1).toLowerCase() } : { dir, base, stem: base, ext: '' };
}

export function isDatasetImage(rel: string): boolean {
  return DATASET_IMAGE_EXTENSIONS.includes(nameParts(rel).ext);
}

export function joinRel(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

export class FileTree {
  /** relative, '/'-separated, sorted */
  readonly files: string[];
  private readonly byLower = new Map<string, string>();
  private readonly dirs = new Map<string, string>();
  private readonly children = new Map<string, string[]>();
  private readonly subdirs = new Map<string, string[]>();

  constructor(
    readonly root: string,
    files: string[],
    dirs: string[],
  ) {
    this.files = [...files].sort();
    for (const f of this.files) {
      if (!this.byLower.has(f.toLowerCase())) this.byLower.set(f.toLowerCase(), f);
      const d = nameParts(f).dir.toLowerCase();
      const list = this.children.get(d);
      if (list) list.push(f);
      else this.children.set(d, [f]);
    }
    this.dirs.set('', '');
    for (const d of [...dirs].sort()) {
      if (this.dirs.has(d.toLowerCase())) continue;
      this.dirs.set(d.toLowerCase(), d);
      const parent = nameParts(d).dir.toLowerCase();
      const list = this.subdirs.get(parent);
      if (list) list.push(d);
      else this.subdirs.set(parent, [d]);
    }
  }

  abs(rel: string): string {
    return join(this.root, ...rel.split('/'));
  }

  /** The file's actual relative path when it exists (any case), else undefined. */
  file(rel: string): string | undefined {
    return this.byLower.get(rel.toLowerCase());
  }

  /** The folder's actual relative path when it exists (any case), else undefined. */
  dir(rel: string): string | undefined {
    return this.dirs.get(rel.toLowerCase());
  }

  /** Files directly inside a folder. */
  filesIn(dir: string): string[] {
    return this.children.get(dir.toLowerCase()) ?? [];
  }

  /** Folders directly inside a folder. */
  dirsIn(dir: string): string[] {
    return this.subdirs.get(dir.toLowerCase()) ?? [];
  }

  /** The first of `dir/stem.ext` for ext in `exts` that exists. */
  find(dir: string, stem: string, exts: readonly string[] = MASK_EXTENSIONS): string | undefined {
    for (const ext of exts) {
      const hit = this.file(joinRel(dir, `${stem}.${ext}`));
      if (hit) return hit;
    }
    return undefined;
  }
}

function skipped(name: string): boolean {
  return name.startsWith('.') || name === '__MACOSX';
}

/** Walks `root` (following symbolic links, each real folder once); unreadable folders become problems. */
export async function walkTree(root: string, problems: DatasetProblem[]): Promise<FileTree> {
  const files: string[] = [];
  const dirs: string[] = [];
  const seen = new Set<string>();
  const visit = async (rel: string): Promise<void> => {
    const abs = rel === '' ? root : join(root, ...rel.split('/'));
    let entries;
    try {
      const real = await realpath(abs);
      if (seen.has(real)) return;
      seen.add(real);
      entries = await readdir(abs, { withFileTypes: true });
    } catch (e) {
      problems.push({ path: abs, reason: `unreadable folder: ${(e as Error).message}` });
      return;
    }
    for (const ent of entries) {
      if (skipped(ent.name)) continue;
      const child = joinRel(rel, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        const st = await stat(join(abs, ent.name)).catch(() => null);
        if (!st) {
          problems.push({ path: join(abs, ent.name), reason: 'broken symbolic link' });
          continue;
        }
        isDir = st.isDirectory();
        isFile = st.isFile();
      }
      if (isDir) {
        dirs.push(child);
        await visit(child);
      } else if (isFile) files.push(child);
    }
  };
  await visit('');
  return new FileTree(root, files, dirs);
}

/** Resolves the root and checks that it is a folder; throws an Error naming it otherwise. */
export async function openRoot(dataset: DatasetName, root: string): Promise<string> {
  const abs = resolve(root);
  const st = await stat(abs).catch(() => null);
  if (!st) throw new Error(`${dataset}: dataset root '${abs}' does not exist`);
  if (!st.isDirectory()) throw new Error(`${dataset}: dataset root '${abs}' is not a folder`);
  return abs;
}

/** The Error for a root that has none of the layout's folders (or files). */
export function layoutError(dataset: DatasetName, root: string, what: string, expected: string): Error {
  return new Error(`${dataset}: '${root}' ${what}; expected ${expected}`);
}

/**
 * Samples and problems as a layout finds them. Masks a layout knows of are registered with
 * `maskCandidate`; those no image claimed are reported by `finish` as masks without an image.
 */
export class Collector {
  private readonly samples = new Map<string, SpliceSample>();
  readonly problems: DatasetProblem[] = [];
  private readonly masks = new Set<string>();
  private readonly claimed = new Set<string>();

  constructor(
    readonly dataset: DatasetName,
    readonly tree: FileTree,
  ) {}

  authentic(rel: string): void {
    this.samples.set(rel, { name: rel, image: this.tree.abs(rel), mask: null, spliced: false });
  }

  /** A spliced image; without a mask it is a problem (naming where the mask was looked for) and is left out. */
  spliced(rel: string, mask: string | undefined, lookedFor: string): void {
    if (mask === undefined) {
      this.problem(rel, `spliced image without a ground-truth mask (looked for ${lookedFor})`);
      return;
    }
    this.claimed.add(mask);
    this.samples.set(rel, { name: rel, image: this.tree.abs(rel), mask: this.tree.abs(mask), spliced: true });
  }

  maskCandidate(rel: string): void {
    this.masks.add(rel);
  }

  /** Marks a mask as used without a sample (one the layout leaves out on purpose). */
  claim(rel: string): void {
    this.claimed.add(rel);
  }

  problem(rel: string, reason: string): void {
    this.problems.push({ path: this.tree.abs(rel), reason });
  }

  /** Drops a listed sample (its problem is recorded by the caller). */
  drop(name: string): void {
    this.samples.delete(name);
  }

  list(): SpliceSample[] {
    return [...this.samples.values()];
  }

  finish(): DatasetListing {
    for (const m of [...this.masks].sort()) if (!this.claimed.has(m)) this.problem(m, 'mask without an image');
    const samples = this.list().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const problems = [...this.problems].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { dataset: this.dataset, root: this.tree.root, samples, problems };
  }
}
