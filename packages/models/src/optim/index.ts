// Optimizers (Adam, AdamW, SGD) over GPU-resident state, gradient-norm clipping without
// readbacks, parameter groups and learning-rate schedules (pure functions of the step).
export {
  Optimizer, OPTIM_PREFIX,
  type OptimizerOptions, type OptimizerKind, type OptimizerMeta, type OptimizerState, type ParamGroup, type ParamSlot,
  type StepOptions, type StepResult,
} from './optimizer.ts';
export { Adam, AdamW, type AdamOptions } from './adam.ts';
export { SGD, type SgdOptions } from './sgd.ts';
export { isNormOrBias, namedParams, weightDecayGroups, type ParamGroupSpec, type ParamSource, type WeightDecayGroupsOptions } from './params.ts';
export { GradNorm, recordGradNorm, type GradNormValue } from './clip.ts';
export { lrAt, paperSchedule, parseSchedule, validateSchedule, type ScheduleKind, type ScheduleSpec } from './schedule.ts';
