/**
 * `exiflang runs compare DIR...`: several run folders side by side. The table holds only the
 * config fields whose values differ between the runs (everything else is shared and would bury
 * the difference) and each run's final figures, read back from its log the same way a sweep
 * row is; the overlaid curves go to a PNG.
 */
import { existsSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { writeComparison } from './compare-chart.ts';
import type { Json } from './overrides.ts';
import { differingFields, flattenConfig, readRunSummary, type RunSummary } from './run-summary.ts';

export interface RunComparison {
  /** one display name per run: the folder's name, or its path when names collide */
  names: string[];
  summaries: RunSummary[];
  /** dotted config paths that differ, sorted */
  fields: string[];
  /** the markdown table (fields then metrics) */
  markdown: string;
}

/** Reads every run folder; a folder with neither config.json nor log.jsonl is an error naming it. */
export function compareRuns(dirs: readonly string[]): RunComparison {
  if (dirs.length === 0) throw new Error('runs compare: give at least one run folder');
  for (const d of dirs) {
    if (!existsSync(join(d, 'log.jsonl')) && !existsSync(join(d, 'config.json'))) {
      throw new Error(`${d}: not a run folder (no log.jsonl or config.json)`);
    }
  }
  const summaries = dirs.map((d) => readRunSummary(d));
  const base = dirs.map((d) => basename(resolve(d)));
  const names = base.map((b, i) => (base.filter((x) => x === b).length > 1 ? relative(process.cwd(), resolve(dirs[i])) || b : b));
  const fields = differingFields(summaries.map((s) => s.config));
  return { names, summaries, fields, markdown: comparisonMarkdown(names, summaries, fields) };
}

const num = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '-' : x.toFixed(d));

function fieldValue(config: { [key: string]: Json } | null, field: string): string {
  if (config === null) return '(no config)';
  const v = flattenConfig(config).get(field);
  return v === undefined ? '(absent)' : v.replace(/^"(.*)"$/, '$1');
}

export function comparisonMarkdown(names: readonly string[], runs: readonly RunSummary[], fields: readonly string[]): string {
  const head = ['run', ...fields, 'steps', 'finished', 'train s', 'patches/s', 'first loss', 'final loss', 'val top-1', 'val top-5', 'chance', 'splice p-mAP', 'make probe', 'peak MiB'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  runs.forEach((s, i) => {
    const cells = [
      names[i], ...fields.map((f) => fieldValue(s.config, f)), String(s.step), s.finished ? 'yes' : 'no', s.trainSeconds.toFixed(0), num(s.patchesPerSec, 1),
      num(s.firstLoss), num(s.finalLoss), num(s.val?.top1), num(s.val?.top5), num(s.val?.chance), num(s.splice?.pmap), num(s.probe?.accuracy), s.peakBytes === null ? '-' : (s.peakBytes / 2 ** 20).toFixed(0),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  });
  if (fields.length === 0 && runs.length > 1) lines.push('', 'The runs\' configs are identical (run.out aside).');
  return `${lines.join('\n')}\n`;
}

/** Writes `<base>.png` and `<base>.svg` with the runs' curves overlaid; returns the PNG path. */
export function writeRunComparison(c: RunComparison, base: string): Promise<string> {
  return writeComparison(c.summaries.map((s, i) => ({ name: c.names[i], records: s.records })), base, `${c.names.length} runs compared`);
}
