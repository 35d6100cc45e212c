import cliProgress from 'cli-progress';

/** A progress bar on stderr with rate and ETA (a plain counter when the total is unknown). */
export function progressBar(label: string): { update: (done: number, total: number | undefined) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  let started = false;
  let t0 = performance.now();
    return {
    update(done, total) {
      if (!started) {
        started = true;
        const known = total !== undefined;
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: known
              ? `${label} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted}`
              : `${label} {value} files | {rate}/s`,
            etaBuffer: 50,
            fps: 5,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total ?? 0, 0, { rate: '0.0' });
        t0 = performance.now();
      }
      const secs = (performance.now() - t0) / 1000;
      bar?.update(done, { rate: secs > 0 ? (done / secs).toFixed(1) : '0.0' });
    },
    stop() {
      bar?.stop();
    },
  };
}
