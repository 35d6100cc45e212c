/**
 * A random-access zip reader over a ByteSource (PKWARE APPNOTE: end-of-central-directory,
 * zip64 locator/record, central directory headers, local headers).
 *
 * Why not fflate's unzipSync: it needs the whole archive in memory, and a .pth with optimizer
 * state can pass 2 GiB; here only the entries asked for are read. torch.save stores entries
 * uncompressed (method 0); deflated entries (a re-zipped file) are inflated with fflate.
 */
import { inflateSync } from 'fflate';
import type { ByteSource } from './bytes.ts';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const U32_MAX = 0xffffffff;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(v: DataView, off: number, what: string, src: ByteSource): number {
  const x = v.getBigUint64(off, true);
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${src.name}: zip ${what} ${x} is too large`);
  return Number(x);
}

export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();

  constructor(private readonly src: ByteSource) {
    const tailLen = Math.min(src.size, 22 + 0xffff);
    const tailStart = src.size - tailLen;
    const tail = src.read(tailStart, tailLen);
    const tv = view(tail);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tv.getUint32(i, true) === EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${src.name}: not a zip archive (no end-of-central-directory record; truncated file?)`);
    let count = tv.getUint16(eocd + 10, true);
    let cdSize = tv.getUint32(eocd + 12, true);
    let cdOffset = tv.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
      // zip64: the locator sits just before the classic record and points at the zip64 one.
      const loc = eocd - 20;
      if (loc < 0 || tv.getUint32(loc, true) !== ZIP64_LOCATOR_SIG) throw new Error(`${src.name}: zip64 locator missing`);
      const recOff = u64(tv, loc + 8, 'zip64 record offset', src);
      const rec = view(src.read(recOff, 56));
      if (rec.getUint32(0, true) !== ZIP64_EOCD_SIG) throw new Error(`${src.name}: bad zip64 end-of-central-directory record`);
      count = u64(rec, 32, 'entry count', src);
      cdSize = u64(rec, 40, 'central directory size', src);
      cdOffset = u64(rec, 48, 'central directory offset', src);
    }
    const cd = src.read(cdOffset, cdSize);
    const cv = view(cd);
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.byteLength || cv.getUint32(p, true) !== CDH_SIG) throw new Error(`${src.name}: corrupt zip central directory (entry ${i})`);
      const method = cv.getUint16(p + 10, true);
      let compressedSize = cv.getUint32(p + 20, true);
      let size = cv.getUint32(p + 24, true);
      const nameLen = cv.getUint16(p + 28, true);
      const extraLen = cv.getUint16(p + 30, true);
      const commentLen = cv.getUint16(p + 32, true);
      let localHeaderOffset = cv.getUint32(p + 42, true);
      const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen));
      // Zip64 extended information (id 1): only the fields that overflowed, in this order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = cv.getUint16(e, true);
        const len = cv.getUint16(e + 2, true);
        if (id === 1) {
          let q = e + 4;
          if (size === U32_MAX) { size = u64(cv, q, 'entry size', src); q += 8; }
          if (compressedSize === U32_MAX) { compressedSize = u64(cv, q, 'entry size', src); q += 8; }
          if (localHeaderOffset === U32_MAX) { localHeaderOffset = u64(cv, q, 'entry offset', src); }
        }
        e += 4 + len;
      }
      this.entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
      p = extraEnd + commentLen;
    }
  }

  get name(): string {
    return this.src.name;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry's uncompressed bytes. */
  read(name: string): Uint8Array {
    const e = this.entries.get(name);
    if (!e) throw new Error(`${this.src.name}: zip entry "${name}" not found`);
    const lh = view(this.src.read(e.localHeaderOffset, 30));
    if (lh.getUint32(0, true) !== LOCAL_SIG) throw new Error(`${this.src.name}: corrupt zip local header for "${name}"`);
    // The local header's own name/extra lengths decide where data starts (torch pads the
    // extra field so storages are 64-byte aligned).
    const start = e.localHeaderOffset + 30 + lh.getUint16(26, true) + lh.getUint16(28, true);
    const raw = this.src.read(start, e.compressedSize);
    if (e.method === 0) return raw;
    if (e.method === 8) {
      const out = inflateSync(raw);
      if (out.byteLength !== e.size) throw new Error(`${this.src.name}: zip entry "${name}" inflated to ${out.byteLength} bytes, expected ${e.size}`);
      return out;
    }
    throw new Error(`${this.src.name}: zip entry "${name}" uses unsupported compression method ${e.method}`);
  }

  close(): void {
    this.src.close();
  }
}

/** A zip archive starts with a local file header ("PK\x03\x04"). */
export function looksLikeZip(head: Uint8Array): boolean {
  return head.byteLength >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}
