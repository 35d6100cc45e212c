/**
 * The run's JSONL log: one object per line, `type` 'train' (a logging window), 'val' (a
 * validation retrieval), 'splice' (validation splice p-mAP) or 'event' (start, resume, checkpoint, stop, end). A resumed run first
 * drops the lines past its checkpoint's step (they belong to the lost tail of the killed run),
 * so the log reads as one run.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

export interface TrainRecord {
  type: 'train';
  step: number;
  /** rate of the window's last update */
  lr: number;
  /** window means */
  loss: number;
  accImage: number;
  accText: number;
  patchesPerSec: number;
  /** the most pool bytes in use at once during the window's steps (the step's working set) */
  peakBytes?: number;
  /** the pool's footprint so far: in use + kept free for reuse (what the device holds) */
  poolBytes?: number;
  /** training seconds since the run began, across resumes */
  elapsed: number;
}

export interface ValRecord {
  type: 'val';
  step: number;
  imageToText: number;
  textToImage: number;
  images: number;
  chance: number;
  /** several crops per image ranked among the distinct texts (absent in older logs) */
  crops?: number;
  texts?: number;
  imageToText5?: number;
  textToImage5?: number;
  chance5?: number;
  elapsed: number;
}

/** Validation splice localization (splice-validation.ts). */
export interface SpliceRecord {
  type: 'splice';
  step: number;
  pmap: number;
  ciou: number;
  images: number;
  seconds: number;
  elapsed: number;
}

/** Make-probe accuracy on the held-apart photos (data.valProbe); null figures when too few makes. */
export interface ProbeRecord {
  type: 'probe';
  step: number;
  accuracy: number | null;
  balancedAccuracy: number | null;
  ci: [number, number] | null;
  /** photos and makes that took part (makes with >= 4 photos) */
  images: number;
  classes: number;
  majority: number | null;
  seconds: number;
  elapsed: number;
}

export interface EventRecord {
  type: 'event';
  step: number;
  event: 'start' | 'resume' | 'checkpoint' | 'stop' | 'end';
  detail?: string;
  elapsed: number;
}

export type LogRecord = TrainRecord | ValRecord | SpliceRecord | ProbeRecord | EventRecord;

export function readLog(path: string): LogRecord[] {
  if (!existsSync(path)) return [];
  const out: LogRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as LogRecord);
    } catch {
      // A line cut by a kill mid-write: the rest of the log is still good.
    }
  }
  return out;
}

export class RunLog {
  constructor(readonly path: string) {}

  /** Starts the log (fresh), or keeps its records up to `step` (resume). */
  async open(resumeStep: number | null): Promise<void> {
    const keep = resumeStep === null ? [] : readLog(this.path).filter((r) => r.step <= resumeStep);
    await writeFile(this.path, keep.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  write(r: LogRecord): void {
    appendFileSync(this.path, `${JSON.stringify(r)}\n`);
  }
}
