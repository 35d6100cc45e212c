/**
 * Float32 vectors cached as raw little-endian files, written atomically (a temporary file then
 * a rename), so a killed run leaves no half-written entry for the next one to trust.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export function readF32(file: string | undefined): Float32Array | undefined {
  if (!file || !existsSync(file)) return undefined;
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function writeF32(file: string | undefined, v: Float32Array): void {
  if (!file) return;
  writeFileSync(`${file}.tmp`, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  renameSync(`${file}.tmp`, file);
}
