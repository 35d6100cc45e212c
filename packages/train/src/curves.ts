/**
 * The training-curve picture: training loss (window means), validation top-1 (both
 * directions, with chance, and patch -> text top-5) and, when logged, validation splice p-mAP against the step, from the run's log, as SVG and PNG (sharp).
 */
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { LogRecord, SpliceRecord, TrainRecord, ValRecord } from './log.ts';
import type { Panel } from './svg-chart.ts';
import { renderChart } from './svg-chart.ts';

/** Keeps the last record of each step (a resumed run may have logged a step twice). */
function lastPerStep<R extends { step: number }>(rs: readonly R[]): R[] {
  const m = new Map<number, R>();
  for (const r of rs) m.set(r.step, r);
  return [...m.values()].sort((a, b) => a.step - b.step);
}

export function curvesSvg(records: readonly LogRecord[], title: string): string {
  const train = lastPerStep(records.filter((r): r is TrainRecord => r.type === 'train'));
  const val = lastPerStep(records.filter((r): r is ValRecord => r.type === 'val'));
  const top = Math.max(0.1, ...val.flatMap((v) => [v.imageToText, v.textToImage, v.chance, v.imageToText5 ?? 0]));
  const last = Math.max(0, ...train.map((r) => r.step), ...val.map((r) => r.step));
  const chance = val.at(-1)?.chance;
  const splice = lastPerStep(records.filter((r): r is SpliceRecord => r.type === 'splice'));
  const top5 = val.filter((v) => v.imageToText5 !== undefined);
  const splicePanel: Panel[] = splice.length === 0 ? [] : [{
    title: `validation splices (${splice.at(-1)?.images ?? 0} images)`, xLabel: 'step', yLabel: 'p-mAP', xMin: 0, yMin: 0, yMax: 1,
    series: [{ name: 'p-mAP (mean-shift map)', color: '#9467bd', points: splice.map((r) => [r.step, r.pmap]) }],
  }];
  return renderChart(
    [
      {
        title: 'training loss (InfoNCE)', xLabel: 'step', xMin: 0, yLabel: 'loss',
        series: [{ name: 'train loss (window mean)', color: '#1f77b4', points: train.map((r) => [r.step, r.loss]) }],
      },
      {
        title: `validation top-1 (${val.at(-1)?.images ?? 0} images)`, xLabel: 'step', yLabel: 'top-1', xMin: 0, yMin: 0, yMax: Math.min(1, top * 1.15),
        series: [
          { name: 'patch -> text', color: '#d62728', points: val.map((r) => [r.step, r.imageToText]) },
          { name: 'text -> patch', color: '#2ca02c', points: val.map((r) => [r.step, r.textToImage]) },
          { name: 'chance', color: '#7f7f7f', dashed: true, points: chance === undefined ? [] : [[0, chance], [last, chance]] },
          ...(top5.length ? [{ name: 'patch -> text top-5', color: '#ff7f0e', points: top5.map((r): [number, number] => [r.step, r.imageToText5 ?? NaN]) }] : []),
        ],
      },
      ...splicePanel,
    ],
    { title },
  );
}

/** Writes `<base>.svg` and `<base>.png`; returns the PNG's path. */
export async function writeCurves(records: readonly LogRecord[], base: string, title: string): Promise<string> {
  const svg = curvesSvg(records, title);
  await writeFile(`${base}.svg`, svg);
  const png = `${base}.png`;
  await sharp(Buffer.from(svg)).png().toFile(png);
  return png;
}
