/**
 * WebDataset tar shards as img2dataset writes them: members `<key>.jpg` (or png/webp) and
 * `<key>.json` (plus `.txt`, ...) next to each other. The json's `exif` field, present when
 * img2dataset ran with extract_exif, is a JSON string of exifread's tags ("Image Make",
 * "EXIF ExposureTime": "1/250", ...); exif/img2dataset.ts turns it into a record when the image
 * bytes carry no EXIF of their own (img2dataset re-encodes resized images without it).
 */
import { createReadStream } from 'node:fs';
import { relative } from 'node:path';
import tar from 'tar-stream';
import { isImageName, type Sample } from './sample.ts';

interface Member {
  name: string;
  data: Buffer;
}

/** key = member path up to the first dot of its file name (the WebDataset convention). */
export function splitMemberName(name: string): { key: string; ext: string } {
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  return dot < 0 ? { key: name, ext: '' } : { key: name.slice(0, dot), ext: name.slice(dot + 1).toLowerCase() };
}

function parseJson(data: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(data.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toSample(shard: string, shardId: string, key: string, members: Member[]): Sample | undefined {
  const image = members.find((m) => isImageName(m.name));
  if (!image) return undefined;
  const json = members.find((m) => splitMemberName(m.name).ext === 'json');
  const meta = json ? parseJson(json.data) : undefined;
  let exifJson: Record<string, unknown> | undefined;
  const rawExif = meta?.exif;
  if (typeof rawExif === 'string') {
    try {
      const parsed: unknown = JSON.parse(rawExif);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) exifJson = parsed as Record<string, unknown>;
    } catch {
      // unreadable exif field: the image bytes are the only EXIF source
    }
  } else if (rawExif && typeof rawExif === 'object' && !Array.isArray(rawExif)) {
    exifJson = rawExif as Record<string, unknown>;
  }
  const fields = meta ? Object.fromEntries(Object.entries(meta).filter(([k]) => k !== 'exif')) : undefined;
  return {
    id: `${shardId}#${key}`, source: 'webdataset', path: shard, member: image.name,
    bytes: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength), exifJson, fields,
  };
}

/** Streams one shard's samples in tar order; `wanted` limits it to some member names. */
export async function* readShard(shard: string, root?: string, wanted?: ReadonlySet<string>): AsyncGenerator<Sample> {
  const shardId = root ? relative(root, shard) : shard;
  const extract = tar.extract();
  createReadStream(shard).on('error', (e) => extract.destroy(e)).pipe(extract);
  let key: string | undefined;
  let group: Member[] = [];
  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      if (entry.header.type !== 'file') continue;
      const k = splitMemberName(name).key;
      if (k !== key && group.length > 0) {
        const s = toSample(shard, shardId, key ?? '', group);
        if (s && (!wanted || wanted.has(s.member ?? ''))) yield s;
        group = [];
      }
      key = k;
      group.push({ name, data: Buffer.concat(chunks) });
    }
  } catch (e) {
    // A damaged shard ends here; what was read before stays usable. The last, possibly
    // incomplete group is dropped and the damage is reported as a sample with an error.
    yield { id: `${shardId}#!broken`, source: 'webdataset', path: shard, error: (e as Error).message };
    return;
  }
  if (group.length > 0) {
    const s = toSample(shard, shardId, key ?? '', group);
    if (s && (!wanted || wanted.has(s.member ?? ''))) yield s;
  }
}

export async function* webDatasetSource(shards: readonly string[], root?: string): AsyncGenerator<Sample> {
  for (const shard of shards) yield* readShard(shard, root);
}
