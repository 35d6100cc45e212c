import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from './bytes.ts';
import { saveTrainingCheckpoint, type SaveTrainingOptions } from './training.ts';

/** The pointer file naming the newest complete checkpoint of a run directory. */
export const LATEST_POINTER = 'latest';

const NAME = /^step-(\d{9,})\.safetensors$/;

export interface CheckpointDirOptions {
  /** keep the newest N checkpoints, delete older ones after each save (default 3; 0 keeps all) */
  keepLast?: number;
}

/**
 * A run directory of training checkpoints `step-000001234.safetensors` with a `latest`
 * pointer and keep-last-N rotation. Crash order: the new file is written atomically, then the
 * pointer (atomically), then old files are deleted, so `latest` always names a whole file.
 */
export class CheckpointDir {
  readonly keepLast: number;

  constructor(readonly dir: string, opts: CheckpointDirOptions = {}) {
    this.keepLast = opts.keepLast ?? 3;
    if (!Number.isInteger(this.keepLast) || this.keepLast < 0) throw new Error(`CheckpointDir: keepLast must be an integer >= 0, got ${this.keepLast}`);
  }

  pathFor(step: number): string {
    if (!Number.isSafeInteger(step) || step < 0) throw new Error(`CheckpointDir: bad step ${step}`);
    return join(this.dir, `step-${String(step).padStart(9, '0')}.safetensors`);
  }

  /** Checkpoints present, oldest first. */
  list(): { step: number; path: string }[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .map((f) => NAME.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ step: Number(m[1]), path: join(this.dir, m[0]) }))
      .sort((a, b) => a.step - b.step);
  }

  /**
   * The newest checkpoint: the one `latest` names when it exists, else the highest step on
   * disk (a pointer lost or left dangling by hand), else null.
   */
  latest(): string | null {
    const ptr = join(this.dir, LATEST_POINTER);
    if (existsSync(ptr)) {
      const name = readFileSync(ptr, 'utf8').trim();
      if (NAME.test(name) && existsSync(join(this.dir, name))) return join(this.dir, name);
    }
    const all = this.list();
    return all.length ? all[all.length - 1].path : null;
  }

  /** Saves at the optimizer's step (or o.step), moves `latest`, deletes beyond keepLast. */
  async save(o: SaveTrainingOptions): Promise<string> {
    mkdirSync(this.dir, { recursive: true });
    const step = o.step ?? o.optimizer?.stepCount ?? 0;
    const path = this.pathFor(step);
    await saveTrainingCheckpoint(path, { ...o, step });
    writeFileAtomic(join(this.dir, LATEST_POINTER), [new TextEncoder().encode(`${basename(path)}\n`)]);
    if (this.keepLast > 0) {
      const all = this.list();
      for (const old of all.slice(0, Math.max(0, all.length - this.keepLast))) {
        if (old.path !== path) unlinkSync(old.path);
      }
    }
    return path;
  }
}
