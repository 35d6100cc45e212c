/**
 * The checkpoint the page localizes with: by default the one `exiflang web` names at
 * /api/checkpoint (fetched from the same 127.0.0.1 server, with download progress), or a file
 * the user opens (read locally, never sent anywhere).
 */

export interface CheckpointInfo {
  name: string;
  size: number;
  url: string;
}

export interface CheckpointBytes {
  name: string;
  bytes: Uint8Array;
}

export async function fetchDefaultCheckpoint(onProgress: (done: number, total: number) => void): Promise<CheckpointBytes> {
  const info = (await (await fetch('api/checkpoint')).json()) as CheckpointInfo;
  const res = await fetch(info.url);
  if (!res.ok || !res.body) throw new Error(`checkpoint ${info.name}: HTTP ${res.status}`);
  const bytes = new Uint8Array(info.size);
  let done = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done: end, value } = await reader.read();
    if (end) break;
    bytes.set(value, done);
    done += value.byteLength;
    onProgress(done, info.size);
  }
  if (done !== info.size) throw new Error(`checkpoint ${info.name}: got ${done} of ${info.size} bytes`);
  return { name: info.name, bytes };
}

export async function readCheckpointFile(file: File): Promise<CheckpointBytes> {
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}
