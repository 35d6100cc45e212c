import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compareRuns, writeRunComparison } from '@exif-lang/train';

/** `exiflang runs compare DIR...`: the differing config fields and final figures of training runs, and their curves overlaid. */
export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('inspect training run folders');
  runs
    .command('compare')
    .description('table of the config fields that differ between runs and their final metrics; writes the overlaid curves as PNG')
    .argument('<dirs...>', 'run folders (each with config.json and log.jsonl, as `pnpm train --out` writes)')
    .option('--out <base>', 'where to write <base>.png, <base>.svg and <base>.md (default: compare, beside the first run)')
    .option('--json', 'print the summaries as JSON on stdout instead of the table')
    .action(async (dirs: string[], o: { out?: string; json?: boolean }) => {
      const c = compareRuns(dirs);
      const base = o.out ?? join(dirname(resolve(dirs[0])), 'compare');
      const png = await writeRunComparison(c, base);
      writeFileSync(`${base}.md`, c.markdown);
      if (o.json) {
        const rows = c.summaries.map(({ records: _records, ...s }, i) => ({ name: c.names[i], ...s }));
        process.stdout.write(`${JSON.stringify({ fields: c.fields, runs: rows, png }, null, 2)}\n`);
      } else {
        process.stdout.write(c.markdown);
        process.stdout.write(`\ncurves: ${png}\n`);
      }
    });
}
