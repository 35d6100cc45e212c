/** The optimizer and learning-rate schedule a run config describes. */
import { optim, type ExifClip } from '@exif-lang/models';
import type { TrainConfig } from './config.ts';

export function scheduleOf(c: TrainConfig): optim.ScheduleSpec {
  const s = c.schedule;
  const lr = c.optimizer.lr;
  return s.kind === 'cosine'
    ? { kind: 'cosine', lr, totalSteps: s.totalSteps ?? c.run.steps, warmupSteps: s.warmupSteps, minLr: s.minLr }
    : { kind: 'constant', lr, warmupSteps: s.warmupSteps };
}

export function makeOptimizer(model: ExifClip, c: TrainConfig): optim.Adam {
  const o = c.optimizer;
  // CLIP's exclusion (norms, biases, the logit scale) or, as the official run did, decay on everything.
  const params = o.noDecayOnNorms ? optim.weightDecayGroups(model, o.weightDecay) : [{ params: model, weightDecay: o.weightDecay }];
  const opts: optim.AdamOptions = {
    lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay, schedule: scheduleOf(c), maxGradNorm: o.gradClip ?? undefined,
  };
  return o.kind === 'adamw' ? new optim.AdamW(params, opts) : new optim.Adam(params, opts);
}
