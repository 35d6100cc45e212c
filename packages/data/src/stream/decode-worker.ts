/**
 * Decode worker thread: receives DecodeJobs, answers DecodeJobResults with the crops' bytes
 * transferred (not copied). One libvips thread per worker: the pool's worker count is the
 * parallelism, and N workers x all-core libvips pools would oversubscribe the CPU.
 */
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import type { DecodeJob } from './job.ts';
import { runDecodeJob } from './run-job.ts';

sharp.concurrency(1);
sharp.cache(false);

const port = parentPort;
if (!port) throw new Error('decode-worker.ts must run in a worker thread');
port.on('message', (job: DecodeJob) => {
  runDecodeJob(job).then(
    (r) => port.postMessage(r, r.ok ? r.patches.map((p) => p.buffer as ArrayBuffer) : []),
    (e: unknown) => port.postMessage({ seq: job.seq, ok: false, reason: 'worker-error', detail: String((e as Error)?.message ?? e) }),
  );
});
