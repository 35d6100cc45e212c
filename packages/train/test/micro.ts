/** A run small enough for tests on lavapipe: a few seconds per handful of steps. */
import { resolveConfig, type TrainConfig } from '../src/index.ts';

export function microConfig(out: string, source: string, sets: readonly string[] = []): TrainConfig {
  return resolveConfig({
    preset: 'tiny',
    out,
    data: source,
    sets: [
      'model.image={"arch":"custom","block":"basic","layers":[1,1,1,1],"stem":8,"widths":[8,8,16,16]}',
      'model.embed=16',
      'model.text={"layers":1,"heads":2,"ffn":32,"maxTokens":24,"dropout":0.1,"attentionDropout":0.1}',
      'data.synth={"cameras":3,"images":18,"seed":1,"minSize":40,"maxSize":64}',
      'data.patchSize=32', 'data.batchSize=4', 'data.cropsPerImage=1', 'data.workers=1', 'data.valFraction=0.25', 'data.valMaxImages=8',
      'schedule.warmupSteps=1', 'run.logEvery=2', 'run.validateEvery=3', 'run.checkpointEvery=4', 'run.keepLast=0',
      ...sets,
    ],
  }).config;
}
