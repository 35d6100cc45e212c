/** One decode job: decode, check the size, cut the crops. Runs in a worker or, as a fallback, inline. */
import { decodeImage } from '../image/decode.ts';
import { cropBytes } from '../image/patch.ts';
import type { DecodeJob, DecodeJobResult } from './job.ts';

export async function runDecodeJob(job: DecodeJob): Promise<DecodeJobResult> {
  const d = await decodeImage(job.bytes ?? job.path, { allowPartial: job.allowPartial });
  if (!d.ok) return { seq: job.seq, ok: false, reason: d.reason, detail: d.detail };
  const { width, height } = d.image;
  for (const c of job.crops) {
    if (c.x + c.size > width || c.y + c.size > height) {
      const reason = width < c.size || height < c.size ? 'smaller-than-patch' : 'size-changed';
      return { seq: job.seq, ok: false, reason, detail: `${width}x${height} cannot hold crop ${c.size}@(${c.x},${c.y})` };
    }
  }
  return { seq: job.seq, ok: true, width, height, partial: d.image.partial, patches: job.crops.map((c) => cropBytes(d.image, c)) };
}
