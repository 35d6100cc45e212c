/** The message types between the patch stream and its decode workers. */
import type { Crop } from '../image/patch.ts';

export interface DecodeJob {
  seq: number;
  id: string;
  /** Read the file here unless `bytes` is given (tar members). */
  path: string;
  bytes?: Uint8Array;
  crops: Crop[];
  allowPartial: boolean;
}

export type DecodeJobResult =
  | { seq: number; ok: true; width: number; height: number; partial: boolean; patches: Uint8Array[] }
  | { seq: number; ok: false; reason: string; detail: string };
