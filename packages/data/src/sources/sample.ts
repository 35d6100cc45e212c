/** What every source yields: one image, where to get its bytes, and any metadata shipped beside it. */

export type SourceKind = 'folder' | 'manifest' | 'webdataset';

export interface Sample {
  /** Unique within a dataset and stable across runs: the path relative to the root, or `shard#key`. */
  id: string;
  source: SourceKind;
  /** The image file, or the tar shard holding it. */
  path: string;
  /** Tar member name (webdataset samples only). */
  member?: string;
  /** Encoded image bytes when the source already holds them (tar members). */
  bytes?: Uint8Array;
  /** EXIF shipped beside the image (img2dataset's json `exif`, a manifest `exif` column). */
  exifJson?: Record<string, unknown>;
  /** Other manifest / json fields, passed through to the index. */
  fields?: Record<string, unknown>;
  /** Set when the source itself failed here (a damaged tar shard): there is no image. */
  error?: string;
}

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'tif', 'tiff', 'webp', 'heic', 'heif', 'avif'] as const;

export function isImageName(name: string): boolean {
  const ext = /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext !== undefined && (IMAGE_EXTENSIONS as readonly string[]).includes(ext);
}
