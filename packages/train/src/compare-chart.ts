/**
 * Several runs' curves overlaid (a sweep's runs, `runs compare`): training loss, validation
 * patch -> text top-1 and, when any run logged it, validation splice p-mAP, one colour per run.
 */
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { LogRecord, SpliceRecord, TrainRecord, ValRecord } from './log.ts';
import { renderChart, type Panel, type Series } from './svg-chart.ts';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export interface NamedRun {
  name: string;
  records: readonly LogRecord[];
}

function byStep<R extends { step: number }>(rs: readonly R[]): R[] {
  const m = new Map<number, R>();
  for (const r of rs) m.set(r.step, r);
  return [...m.values()].sort((a, b) => a.step - b.step);
}

export function comparisonSvg(runs: readonly NamedRun[], title: string): string {
  const color = (i: number) => COLORS[i % COLORS.length];
  const lines = <R extends LogRecord & { step: number }>(pick: (r: LogRecord) => r is R, value: (r: R) => number): Series[] =>
    runs.map((run, i) => ({ name: run.name, color: color(i), points: byStep(run.records.filter(pick)).map((r): [number, number] => [r.step, value(r)]) }));
  const panels: Panel[] = [
    { title: 'training loss (window mean)', xLabel: 'step', yLabel: 'loss', xMin: 0, series: lines((r): r is TrainRecord => r.type === 'train', (r) => r.loss) },
    { title: 'validation patch -> text top-1', xLabel: 'step', yLabel: 'top-1', xMin: 0, yMin: 0, series: lines((r): r is ValRecord => r.type === 'val', (r) => r.imageToText) },
  ];
  if (runs.some((r) => r.records.some((x) => x.type === 'splice'))) {
    panels.push({ title: 'validation splice p-mAP', xLabel: 'step', yLabel: 'p-mAP', xMin: 0, yMin: 0, yMax: 1, series: lines((r): r is SpliceRecord => r.type === 'splice', (r) => r.pmap) });
  }
  return renderChart(panels, { title, panelWidth: 520, height: 380 + 14 * Math.max(0, Math.ceil(runs.length / 2) - 2) });
}

/** Writes `<base>.svg` and `<base>.png`; returns the PNG's path. */
export async function writeComparison(runs: readonly NamedRun[], base: string, title: string): Promise<string> {
  const svg = comparisonSvg(runs, title);
  await writeFile(`${base}.svg`, svg);
  await sharp(Buffer.from(svg)).png().toFile(`${base}.png`);
  return `${base}.png`;
}
