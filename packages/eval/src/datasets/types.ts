/**
 * The splice-evaluation datasets: what a listing holds. Every path in a listing is absolute;
 * a sample's name is its image's path relative to the root with '/' separators (unique within
 * a listing, stable across runs and machines), and samples are sorted by name.
 */

export type DatasetName = 'columbia' | 'dso1' | 'realistic-tampering' | 'in-the-wild' | 'hays' | 'casia1' | 'casia2' | 'folder' | 'generated';

export const DATASET_NAMES: readonly DatasetName[] = ['columbia', 'dso1', 'realistic-tampering', 'in-the-wild', 'hays', 'casia1', 'casia2', 'folder', 'generated'];

export function isDatasetName(s: string): s is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(s);
}

export interface SpliceSample {
  /** the image's path relative to the root, '/'-separated */
  name: string;
  /** absolute path of the image */
  image: string;
  /** ground-truth file, null for an authentic image */
  mask: string | null;
  spliced: boolean;
}

/** A file the listing could not use, and why (its sample, if any, is left out). */
export interface DatasetProblem {
  path: string;
  reason: string;
}

export interface DatasetListing {
  dataset: DatasetName;
  /** absolute */
  root: string;
  samples: SpliceSample[];
  problems: DatasetProblem[];
}

export interface ListOptions {
  /** generated: use the JPEG re-saves (files.splicedJpeg / authenticJpeg) where the manifest has them */
  jpeg?: boolean;
  /**
   * Read the header of every listed image and mask with sharp (default true) so that an
   * unreadable file (empty, truncated header, a format sharp cannot decode such as BMP) is a
   * problem of the listing and not a failure halfway through an evaluation.
   */
  check?: boolean;
}
