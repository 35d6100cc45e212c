// Contrastive training: run configs (schema, presets, overrides), the loop with resumable
// checkpoints, validation retrieval, the JSONL log and the training-curve picture.
export { trainConfigSchema, RESNET_ARCHS, SYNTH_SOURCE, TEXT_SUBSETS, type TrainConfig, type TrainConfigInput, type ImageTowerConfig } from './config.ts';
export { PRESETS, PRESET_NAMES, isPresetName, presetInput, type PresetName } from './presets.ts';
export { parseAssignment, applyAssignment, mergeInto, OverrideError, type Assignment, type Json } from './overrides.ts';
export { resolveConfig, validateConfig, ConfigError, type ConfigIssue, type ResolveOptions, type ResolvedRun } from './resolve.ts';
export { exifClipConfig, imageTowerConfig, BERT_VOCAB_SIZE } from './model-config.ts';
export { makeOptimizer, scheduleOf } from './optimizer.ts';
export { prepareData, fingerprintOf, type RunData } from './data.ts';
export { TrainBatches, epochSeed, type BatchPosition, type BatchSource, type PositionedBatch } from './batches.ts';
export { loadValidationSet, evaluateRetrieval, type ValidationSet, type ValidationSource } from './validation.ts';
export { retrievalTop1, retrievalTopK, type RetrievalScores, type CropRetrievalScores } from './retrieval.ts';
export { textOptionsOf } from './text-options.ts';
export { GpuMeter } from './meter.ts';
export { RunLog, readLog, type LogRecord, type TrainRecord, type ValRecord, type SpliceRecord, type ProbeRecord, type EventRecord } from './log.ts';
export { renderChart, niceTicks, type Panel, type Series, type ChartOptions } from './svg-chart.ts';
export { curvesSvg, writeCurves } from './curves.ts';
export { createProgress, type Progress, type ProgressInfo, type ProgressMode } from './progress.ts';
export { stateMeta, stateFromInfo, configConflicts, RESUMABLE_CHANGES, type RunState } from './run-state.ts';
export { setupRun, runPaths, type RunPaths, type RunSetup } from './setup.ts';
export { trainStep } from './step.ts';
export { train, type TrainOptions, type TrainResult } from './loop.ts';
export { chunkedGradients, chunkedTrainStep, chunksOf, type Chunk, type ChunkedLoss } from './chunked-step.ts';
export { prepareSpliceValidation, evaluateSpliceValidation, type SpliceValidationSet, type SpliceScores } from './splice-validation.ts';
export { readRunSummary, flattenConfig, differingFields, type RunSummary } from './run-summary.ts';
export { comparisonSvg, writeComparison, type NamedRun } from './compare-chart.ts';
export { compareRuns, comparisonMarkdown, writeRunComparison, type RunComparison } from './run-compare.ts';
export { sweepFileSchema, readSweepFile, planSweep, runSweep, sweepMarkdown, type SweepFile, type SweepRun, type SweepRow, type SweepResult, type SweepOptions } from './sweep.ts';
export { estimateStepMemory, describeMemory, memoryError, type MemoryEstimate, type MemoryLimits } from './memory.ts';
