/**
 * Candidate texts for zero-shot classification of one EXIF field, written with the data
 * package's exifToText (the training texts' wording and order): for `make` "Make: <make>",
 * for `model` "Make: <make>, Model: <model>" (the model name alone is ambiguous across brands,
 * and the training texts always carry both); `text` is the whole EXIF text (rank a gallery's
 * full strings for a query image). One candidate per distinct text in the gallery.
 */
import { exifToText, type ValueMode } from '@exif-lang/data';
import type { ProbeImage } from '../probe/photo-set.ts';

export const ZEROSHOT_FIELDS = ['make', 'model', 'text'] as const;
export type ZeroShotField = (typeof ZEROSHOT_FIELDS)[number];

export function isZeroShotField(s: string): s is ZeroShotField {
  return (ZEROSHOT_FIELDS as readonly string[]).includes(s);
}

export function fieldText(img: Pick<ProbeImage, 'exif' | 'text'>, field: ZeroShotField, values: ValueMode = 'normalized'): string | undefined {
  if (field === 'text') return img.text || undefined;
  const tags = field === 'make' ? ['Make'] : ['Make', 'Model'];
  const t = exifToText({ tags: img.exif }, { tags, values });
  return t.includes(field === 'make' ? 'Make:' : 'Model:') ? t : undefined;
}

export interface FieldCandidates {
  texts: string[];
  /** candidate index per image, -1 without the field */
  labels: Int32Array;
}

export function fieldCandidates(images: readonly Pick<ProbeImage, 'exif' | 'text'>[], field: ZeroShotField, values?: ValueMode): FieldCandidates {
  const per = images.map((im) => fieldText(im, field, values));
  const texts = [...new Set(per.filter((t): t is string => t !== undefined))].sort();
  const id = new Map(texts.map((t, i) => [t, i]));
  return { texts, labels: Int32Array.from(per, (t) => (t === undefined ? -1 : (id.get(t) ?? -1))) };
}
