/**
 * Random-access byte sources and atomic file writes.
 *
 * Checkpoints can exceed Node's 2 GiB readFile limit (the official .pth carries optimizer
 * state beside the weights), so readers take ranges through a file descriptor and load only
 * what they use.
 */

/**
 * node:fs and node:path, fetched when a file is touched rather than imported: the in-memory
 * readers (MemorySource, safetensors and .pth parsing) must also load in a browser, where a
 * checkpoint arrives as bytes.
 */
function fs(): typeof import('node:fs') {
  return process.getBuiltinModule('node:fs');
}
function path(): typeof import('node:path') {
  return process.getBuiltinModule('node:path');
}

export interface ByteSource {
  /** Shown in error messages (the file path, or a label for in-memory bytes). */
  readonly name: string;
  readonly size: number;
  /** `length` bytes at `offset`; throws naming the source when the range is past the end. */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(private readonly bytes: Uint8Array, readonly name = '<memory>') {
    this.size = bytes.byteLength;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
  close(): void {}
}

export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | null;
  constructor(readonly name: string) {
    this.fd = fs().openSync(name, 'r');
    this.size = fs().fstatSync(this.fd).size;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    if (this.fd === null) throw new Error(`${this.name}: read after close`);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      // readSync moves at most 2 GiB per call.
      const n = fs().readSync(this.fd, out, done, Math.min(length - done, 1 << 30), offset + done);
      if (n === 0) throw new Error(`${this.name}: unexpected end of file at byte ${offset + done}`);
      done += n;
    }
    return out;
  }
  close(): void {
    if (this.fd !== null) fs().closeSync(this.fd);
    this.fd = null;
  }
}

function checkRange(src: ByteSource, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > src.size) {
    throw new Error(`${src.name}: truncated file (needs bytes ${offset}..${offset + length}, file has ${src.size})`);
  }
}

export function openSource(input: string | Uint8Array, name?: string): ByteSource {
  return typeof input === 'string' ? new FileSource(input) : new MemorySource(input, name);
}

/**
 * Writes `chunks` to `file` so that readers see the old file or the whole new one, never a
 * partial one: a temp file in the same directory (same filesystem, so rename is atomic),
 * fsync, rename, then fsync the directory so the rename itself survives a crash.
 */
export function writeFileAtomic(file: string, chunks: Iterable<Uint8Array>): void {
  const { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } = fs();
  const { basename, dirname, join } = path();
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    for (const c of chunks) {
      let done = 0;
      while (done < c.byteLength) done += writeSync(fd, c, done, c.byteLength - done);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  try {
    const dfd = openSync(dirname(file), 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch {
    // Some filesystems refuse fsync on directories; the data itself is already synced.
  }
}
