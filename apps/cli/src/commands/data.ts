import type { Command } from 'commander';
import { registerDataIndex } from './data-index.ts';
import { registerDataStats } from './data-stats.ts';
import { registerDataBench } from './data-bench.ts';
import { registerDataSynth } from './data-synth.ts';
import { registerDataSplices } from './data-splices.ts';

/**
 * `exiflang data ...`: the data pipeline's commands, one file per subcommand
 * (apps/cli/src/commands/data-<name>.ts exporting register<Name>(data)); add one with one line here.
 */
export function registerData(program: Command): void {
  const data = program.command('data').description('index photos, EXIF-as-text statistics, patch streams');
  registerDataIndex(data);
  registerDataStats(data);
  registerDataBench(data);
  registerDataSynth(data);
  registerDataSplices(data);
}
