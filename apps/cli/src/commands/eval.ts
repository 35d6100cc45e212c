import type { Command } from 'commander';
import { registerEvalSplice } from './eval-splice.ts';
import { registerEvalProbe } from './eval-probe.ts';
import { registerEvalZeroShot } from './eval-zeroshot.ts';

/** `exiflang eval <benchmark>`: evaluations of a checkpoint. */
export function registerEval(program: Command): void {
  const evalCmd = program.command('eval').description('evaluate a checkpoint (splice: zero-shot splice localization benchmark; probe: linear probes; zeroshot: EXIF retrieval)');
  registerEvalSplice(evalCmd);
  registerEvalProbe(evalCmd);
  registerEvalZeroShot(evalCmd);
}
