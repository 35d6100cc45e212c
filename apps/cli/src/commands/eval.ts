import type { Command } from 'commander';
import { registerEvalSplice } from './eval-splice.ts';

/** `exiflang eval <benchmark>`: evaluations of a checkpoint. */
export function registerEval(program: Command): void {
  const evalCmd = program.command('eval').description('evaluate a checkpoint (splice: zero-shot splice localization benchmark)');
  registerEvalSplice(evalCmd);
}
