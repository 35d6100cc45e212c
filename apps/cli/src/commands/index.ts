import type { Command } from 'commander';
import { registerGpuInfo } from './gpu-info.ts';
import { registerConvert } from './convert.ts';
import { registerEmbed } from './embed.ts';
import { registerData } from './data.ts';
import { registerBench } from './bench.ts';
import { registerBenchStep } from './bench-step.ts';
import { registerDemo } from './demo.ts';
import { registerTrain } from './train.ts';
import { registerLocalize } from './localize.ts';
import { registerEval } from './eval.ts';
import { registerBenchLocalize } from './bench-localize.ts';
import { registerWeb } from './web.ts';
import { registerCheck } from './check.ts';
import { registerRuns } from './runs.ts';

/** Every sub-command registers itself here, one file per command (or command group). */
export function registerAll(program: Command): void {
  registerGpuInfo(program);
  registerConvert(program);
  registerEmbed(program);
  registerData(program);
  registerBench(program);
  registerBenchStep(program);
  registerDemo(program);
  registerTrain(program);
  registerLocalize(program);
  registerEval(program);
  registerBenchLocalize(program);
  registerWeb(program);
  registerCheck(program);
  registerRuns(program);
}
