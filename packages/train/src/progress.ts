/**
 * Training progress on stderr: a cli-progress bar (step, loss, patches/s, ETA) when stderr is a
 * terminal; otherwise one plain line per logging window, so logs of CI or `nohup` runs stay
 * readable. Messages go through `note`, which prints above the bar.
 */
import cliProgress from 'cli-progress';

export interface ProgressInfo {
  loss?: number;
  patchesPerSec?: number;
}

export interface Progress {
  /** every step (host-side: the GPU may lag up to one logging window) */
  step(step: number): void;
  /** at a logging window, with its measured figures */
  window(step: number, info: ProgressInfo): void;
  note(line: string): void;
  stop(): void;
}

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'off';

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function createProgress(total: number, start: number, mode: ProgressMode = 'auto'): Progress {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'off') return { step() {}, window() {}, note() {}, stop() {} };
  if (resolved === 'lines') {
    const t0 = performance.now();
    return {
      step() {},
      window(step, info) {
        const secs = (performance.now() - t0) / 1000;
        const left = ((total - step) * secs) / Math.max(1, step - start);
        const loss = info.loss === undefined ? '' : ` loss ${info.loss.toFixed(4)}`;
        const rate = info.patchesPerSec === undefined ? '' : ` ${info.patchesPerSec.toFixed(1)} patches/s`;
        process.stderr.write(`train step ${step}/${total}${loss}${rate} ETA ${eta(left)}\n`);
      },
      note(line) {
        process.stderr.write(`${line}\n`);
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: 'train [{bar}] {value}/{total} | loss {loss} | {rate} patches/s | ETA {eta_formatted}',
      etaBuffer: 20,
      fps: 4,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = multi.create(total, start, { loss: '-', rate: '-' });
  return {
    step(step) {
      bar.update(step);
    },
    window(step, info) {
      bar.update(step, { loss: info.loss?.toFixed(4) ?? '-', rate: info.patchesPerSec?.toFixed(1) ?? '-' });
    },
    note(line) {
      multi.log(`${line}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}
