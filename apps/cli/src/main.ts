#!/usr/bin/env node
import { Command } from 'commander';
import { registerAll } from './commands/index.ts';

const program = new Command();
program
  .name('exiflang')
  .description('exif-lang: learn camera traces from EXIF-as-text, find spliced regions zero-shot')
  .showHelpAfterError();

registerAll(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as Error;
  process.stderr.write(`exiflang: ${e.message ?? String(err)}\n`);
  if (process.env.EXIFLANG_DEBUG === '1' && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
