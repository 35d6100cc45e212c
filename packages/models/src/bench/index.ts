// The training-step benchmark (ours on the GPU device beside PyTorch on the CPU).
export { runStepBench, formatStepTable, formatProfile, type StepBenchOptions, type StepBenchReport, type StepBenchRow, type PhaseMs } from './step.ts';
export { STEP_PRESETS, isStepPreset, type StepPreset, type StepPresetName } from './step-presets.ts';
export { TorchPeer, findCachedBlas, TORCH_STEP_SCRIPT, type TorchInfo, type TorchPeerOptions, type TorchStepMs } from './torch-peer.ts';
