/**
 * The contrastive training loop.
 *
 * Per step the host only records GPU work (step.ts) and submits it; it reads the GPU once per
 * logging window (the meter's sums, which also measures the window's true throughput since the
 * read waits for the GPU), at validations and at checkpoints. Checkpoints go through
 * CheckpointDir (atomic file, then the `latest` pointer) every run.checkpointEvery steps, at the
 * end, and when `signal` aborts (SIGINT in the CLI: the current step finishes first). A run
 * whose folder holds a checkpoint continues from it bit for bit (batches.ts, run-state.ts).
 */
import { getGpu, type Gpu } from '@exif-lang/kernels';
import type { TrainConfig } from './config.ts';
import { TrainBatches } from './batches.ts';
import { writeCurves } from './curves.ts';
import { readLog, RunLog, type EventRecord } from './log.ts';
import { GpuMeter } from './meter.ts';
import { createProgress, type Progress, type ProgressMode } from './progress.ts';
import type { CropRetrievalScores } from './retrieval.ts';
import { stateMeta } from './run-state.ts';
import { setupRun, type RunSetup } from './setup.ts';
import { trainStep } from './step.ts';
import { chunkedTrainStep } from './chunked-step.ts';
import { evaluateSpliceValidation, type SpliceScores } from './splice-validation.ts';
import { evaluateProbeValidation, type ProbeScores } from './probe-validation.ts';
import { textOptionsOf } from './text-options.ts';
import { evaluateRetrieval } from './validation.ts';
import { describeMemory, estimateStepMemory, memoryError, type MemoryEstimate } from './memory.ts';

export interface TrainOptions {
  config: TrainConfig;
  /** continue from the output folder's newest checkpoint when there is one (default true) */
  resume?: boolean;
  /** aborting finishes the current step, writes a checkpoint and returns */
  signal?: AbortSignal;
  /** default 'auto': a bar on a terminal, plain lines otherwise */
  progress?: ProgressMode;
  /** receives messages (default: stderr, above the bar) */
  log?: (line: string) => void;
  /** after every step (tests use it to stop a run) */
  onStep?: (step: number) => void | Promise<void>;
  gpu?: Gpu;
}

export interface TrainResult {
  out: string;
  /** step this process started from (> 0 when resumed) */
  startStep: number;
  /** steps done in total */
  step: number;
  interrupted: boolean;
  resumedFrom: string | null;
  /** the newest checkpoint */
  checkpoint: string | null;
  log: string;
  curves: string | null;
  parameters: number;
  trainImages: number;
  /** first and last logging windows' mean loss in this process */
  firstLoss: number | null;
  lastLoss: number | null;
  validation: CropRetrievalScores | null;
  /** the last validation splice localization */
  splice: SpliceScores | null;
  /** the make probe at the end (data.valProbe) */
  probe: ProbeScores | null;
  /** the most pool bytes in use at once during any step of this process */
  peakBytes: number;
  /** what estimateStepMemory expected before the first step */
  memory: MemoryEstimate;
  /** patches/s over this process's windows after the first (which holds the kernel compiles) */
  patchesPerSec: number | null;
  /** wall seconds of this call */
  seconds: number;
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const c = o.config;
  const gpu = o.gpu ?? (await getGpu());
  let bar: Progress | null = null;
  // Messages print above the bar once it runs; before that (data preparation) straight to stderr.
  const note = o.log ?? ((s: string) => (bar ? bar.note(s) : process.stderr.write(`${s}\n`)));
  let run: RunSetup | null = null;
  let batches: TrainBatches | null = null;
  const meter = new GpuMeter(['loss', 'accImage', 'accText']);
  try {
    // Before any data is prepared: a batch that cannot fit is an error suggesting a chunk size.
    const memory = await estimateStepMemory(gpu, c);
    note(describeMemory(memory));
    if (!memory.fits) throw memoryError(memory);
    run = await setupRun(gpu, c, o.resume ?? true, note);
    const r = run;
    const startStep = r.step;
    const log = new RunLog(r.paths.log);
    await log.open(r.resumedFrom ? startStep : null);
    const loopStart = performance.now();
    const elapsedBefore = r.state.elapsed; // training seconds of the runs this one continues
    const elapsed = () => elapsedBefore + (performance.now() - loopStart) / 1000;
    const event = (event: EventRecord['event'], detail?: string) => log.write({ type: 'event', step: r.step, event, detail, elapsed: elapsed() });
    event(r.resumedFrom ? 'resume' : 'start', r.resumedFrom ?? undefined);
    const v = r.validation;
    note(
      `training ${r.model.parameterCount().toLocaleString('en')} parameters on ${r.data.train.length} images (${c.data.batchSize} x ${c.data.patchSize} px per step)` +
        `${v ? `; validation: ${v.count} held-out images (chance ${(1 / v.count).toFixed(3)}, ${v.distinctTexts} distinct texts)` : ''}` +
        `${r.resumedFrom ? `; resumed at step ${startStep}, epoch ${r.state.position.epoch} batch ${r.state.position.batch}` : ''}`,
    );

    let checkpoint = r.checkpoints.latest();
    let savedStep = startStep;
    const save = async () => {
      r.state.elapsed = elapsed();
      checkpoint = await r.checkpoints.save({ model: r.model, optimizer: r.optimizer, step: r.step, config: c, rng: { seed: c.run.seed }, ...stateMeta(r.state) });
      savedStep = r.step;
      event('checkpoint', checkpoint);
    };
    let validation: CropRetrievalScores | null = null;
    const validate = async () => {
      if (!v) return;
      const s = await evaluateRetrieval(gpu, r.model, v, c.data.chunkSize ?? c.data.batchSize);
      validation = s;
      log.write({
        type: 'val', step: r.step, imageToText: s.imageToText, textToImage: s.textToImage, images: v.count, chance: s.chance,
        crops: s.crops, texts: s.texts, imageToText5: s.imageToText5, textToImage5: s.textToImage5, chance5: s.chance5, elapsed: elapsed(),
      });
      note(
        `step ${r.step}: validation patch->text top-1 ${s.imageToText.toFixed(3)} top-5 ${s.imageToText5.toFixed(3)}, text->patch top-1 ${s.textToImage.toFixed(3)} ` +
          `(${s.crops} crops of ${s.n} images, ${s.texts} distinct texts: chance ${s.chance.toFixed(3)} / ${s.chance5.toFixed(3)})`,
      );
    };
    let splice: SpliceScores | null = null;
    const spliceValidate = async () => {
      if (!r.splices) return;
      const s = await evaluateSpliceValidation(gpu, r.model, r.splices, c.data.patchSize);
      splice = s;
      log.write({ type: 'splice', step: r.step, pmap: s.pmap, ciou: s.ciou, images: s.images, seconds: s.seconds, elapsed: elapsed() });
      note(`step ${r.step}: validation splices p-mAP ${s.pmap.toFixed(3)}, cIoU ${s.ciou.toFixed(3)} (${s.images} images, ${s.seconds.toFixed(0)} s)`);
    };
    let probe: ProbeScores | null = null;
    const probeValidate = async () => {
      if (!c.data.valProbe || r.data.val.length === 0) return;
      const { skipped, ...s } = await evaluateProbeValidation(gpu, r.model, r.data.val, c.data.patchSize, c.run.seed);
      probe = { ...s, skipped };
      log.write({ type: 'probe', step: r.step, ...s, elapsed: elapsed() });
      const left = skipped ? `; ${skipped} photos inside shards left out` : '';
      if (s.accuracy === null) note(`step ${r.step}: make probe skipped: fewer than 2 makes have >= 4 of the ${r.data.val.length} held-apart photos${left}`);
      else note(`step ${r.step}: make probe on held-apart photos ${(100 * s.accuracy).toFixed(1)}% [${s.ci!.map((x) => (100 * x).toFixed(1)).join(', ')}] (${s.images} photos, ${s.classes} makes, majority ${(100 * s.majority!).toFixed(1)}%${left})`);
    };

    batches = new TrainBatches(
      {
        entries: r.data.train, seed: c.run.seed, batchSize: c.data.batchSize, patchSize: c.data.patchSize, cropsPerImage: c.data.cropsPerImage, cropsPerStep: c.data.cropsPerStep, cropAlign: c.data.cropAlign,
        workers: c.data.workers, tokenizer: r.tokenizer, text: textOptionsOf(c, r.data.tags, true),
      },
      r.state.position,
    );
    const progressBar = createProgress(c.run.steps, startStep, o.progress ?? 'auto');
    bar = progressBar;
    let firstLoss: number | null = null;
    let lastLoss: number | null = null;
    let windowStart = performance.now();
    let windowPatches = 0;
    // Seconds of validation and checkpointing inside the current window (not training time).
    let pausedSecs = 0;
    const paused = async (fn: () => Promise<void>) => {
      await gpu.sync(); // the training steps queued so far count as training time
      const t = performance.now();
      await fn();
      pausedSecs += (performance.now() - t) / 1000;
      gpu.pool.takePeakInUse(); // evaluation's buffers are not the step's
    };
    gpu.pool.takePeakInUse();
    let windowPeak = 0;
    let runPeak = 0;
    const chunk = c.data.chunkSize;
    // A gradient-cached step can take minutes (paper preset here: ~1 h): a line every 30 s of it.
    let chunkNoteAt = performance.now();
    const onChunk = (pass: 'embed' | 'replay', done: number, total: number) => {
      if (performance.now() - chunkNoteAt < 30_000) return;
      chunkNoteAt = performance.now();
      note(`step ${r.step + 1}: ${pass === 'embed' ? 'embedding' : 'back-propagating'} chunk ${done}/${total}`);
    };
    let windows = 0;
    let steadyPatches = 0;
    let steadySeconds = 0;
    let lr = 0;
    try {
      while (r.step < c.run.steps && !o.signal?.aborted) {
        const { batch, after } = await batches.next();
        lr = chunk === null ? await trainStep(gpu, r.model, r.optimizer, batch, meter, { imageImage: c.model.imageImageWeight }) : await chunkedTrainStep(gpu, r.model, r.optimizer, batch, meter, chunk, onChunk);
        // Buffers are taken and returned as the step is recorded, in program order: the pool's
        // high-water mark over the recording is the step's working set.
        windowPeak = Math.max(windowPeak, gpu.pool.takePeakInUse());
        runPeak = Math.max(runPeak, windowPeak);
        gpu.flush(); // the GPU starts on this step while the host prepares the next
        r.step++;
        r.state.position = after;
        r.state.patches += batch.batchSize * batch.cropsPerStep;
        windowPatches += batch.batchSize * batch.cropsPerStep;
        progressBar.step(r.step);
        const last = r.step === c.run.steps;
        if (r.step % c.run.logEvery === 0 || last || o.signal?.aborted) {
          const m = await meter.read();
          const secs = (performance.now() - windowStart) / 1000 - pausedSecs;
          windowStart = performance.now();
          pausedSecs = 0;
          if (m) {
            const patchesPerSec = windowPatches / secs;
            if (windows++ > 0) {
              steadyPatches += windowPatches;
              steadySeconds += secs;
            }
            firstLoss ??= m.loss;
            lastLoss = m.loss;
            log.write({
              type: 'train', step: r.step, lr, loss: m.loss, accImage: m.accImage, accText: m.accText, patchesPerSec, peakBytes: windowPeak, poolBytes: gpu.pool.stats().peakBytes, elapsed: elapsed(),
            });
            progressBar.window(r.step, { loss: m.loss, patchesPerSec });
            if (!Number.isFinite(m.loss)) throw new Error(`step ${r.step}: the loss is ${m.loss}; stopping (lower optimizer.lr or set optimizer.gradClip)`);
          }
          windowPatches = 0;
          windowPeak = 0;
        }
        if (!o.signal?.aborted && ((c.run.validateEvery > 0 && r.step % c.run.validateEvery === 0) || last)) await paused(validate);
        if (!o.signal?.aborted && ((c.run.spliceEvery > 0 && r.step % c.run.spliceEvery === 0) || last)) await paused(spliceValidate);
        if (!o.signal?.aborted && last) await paused(probeValidate);
        if (r.step % c.run.checkpointEvery === 0 || last) await paused(save);
        await o.onStep?.(r.step);
      }
      const interrupted = r.step < c.run.steps;
      if (savedStep !== r.step) await save();
      event(interrupted ? 'stop' : 'end', interrupted ? 'interrupted' : undefined);
      if (interrupted) note(`stopped at step ${r.step}: checkpoint ${checkpoint}`);
      else if (startStep >= c.run.steps) note(`${c.run.out} is already complete at step ${r.step}`);
    } finally {
      progressBar.stop();
      bar = null;
    }
    const curves = await writeCurves(readLog(r.paths.log), r.paths.curves, `exif-lang ${c.run.out}: ${r.step} steps`);
    return {
      out: c.run.out, startStep, step: r.step, interrupted: r.step < c.run.steps, resumedFrom: r.resumedFrom, checkpoint, log: r.paths.log, curves,
      parameters: r.model.parameterCount(), trainImages: r.data.train.length, firstLoss, lastLoss, validation, splice, probe, peakBytes: runPeak, memory,
      patchesPerSec: steadySeconds > 0 ? steadyPatches / steadySeconds : null, seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    bar?.stop();
    meter.reset();
    await batches?.close();
    run?.dispose();
  }
}
