// The training-step benchmark (ours on the GPU device beside PyTorch on the CPU).
export { runStepBench, formatStepTable, type StepBenchOptions, type StepBenchReport, type StepBenchRow, type PhaseMs } from './step.ts';
export { STEP_PRESETS, isStepPreset, type StepPreset, type StepPresetName } from './step-presets.ts';
export { runTorchStep, findCachedBlas, TORCH_STEP_SCRIPT, type TorchPeerOptions, type TorchResult, type TorchRun } from './torch-peer.ts';
