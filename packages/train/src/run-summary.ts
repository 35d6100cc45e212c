/**
 * A run's figures read back from its folder (config.json and log.jsonl), so a sweep row or a
 * comparison is the same whether the run finished in this process, in an earlier one, or was
 * resumed several times: the last logged value of each metric, the steady throughput (windows
 * after the first, which holds the kernel compiles) and the memory high-water mark.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLog, type LogRecord, type ProbeRecord, type SpliceRecord, type TrainRecord, type ValRecord } from './log.ts';
import type { Json } from './overrides.ts';

export interface RunSummary {
  out: string;
  /** the resolved config (null when config.json is missing or unreadable) */
  config: { [key: string]: Json } | null;
  records: LogRecord[];
  /** the last step logged */
  step: number;
  /** an 'end' event was logged at the last step */
  finished: boolean;
  firstLoss: number | null;
  finalLoss: number | null;
  /** median patches/s of the logging windows after the first */
  patchesPerSec: number | null;
  /** training seconds across resumes (excludes validation and checkpoints) */
  trainSeconds: number;
  val: { step: number; top1: number; top5: number | null; textTop1: number; chance: number; chance5: number | null; images: number; texts: number | null } | null;
  splice: { step: number; pmap: number; ciou: number; images: number } | null;
  /** the last make probe (data.valProbe); accuracy null when it was skipped */
  probe: { step: number; accuracy: number | null; balancedAccuracy: number | null; images: number; classes: number } | null;
  /** the largest per-window pool high-water mark logged */
  peakBytes: number | null;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function readRunSummary(out: string): RunSummary {
  const cfgPath = join(out, 'config.json');
  let config: RunSummary['config'] = null;
  if (existsSync(cfgPath)) {
    try {
      config = JSON.parse(readFileSync(cfgPath, 'utf8')) as { [key: string]: Json };
    } catch {
      config = null;
    }
  }
  const records = readLog(join(out, 'log.jsonl'));
  const train = records.filter((r): r is TrainRecord => r.type === 'train');
  const val = records.filter((r): r is ValRecord => r.type === 'val').at(-1);
  const splice = records.filter((r): r is SpliceRecord => r.type === 'splice').at(-1);
  const probe = records.filter((r): r is ProbeRecord => r.type === 'probe').at(-1);
  const step = Math.max(0, ...records.map((r) => r.step));
  const peaks = train.map((r) => r.peakBytes).filter((x): x is number => typeof x === 'number');
  return {
    out, config, records, step,
    finished: records.some((r) => r.type === 'event' && r.event === 'end' && r.step === step),
    firstLoss: train[0]?.loss ?? null,
    finalLoss: train.at(-1)?.loss ?? null,
    patchesPerSec: median(train.slice(1).map((r) => r.patchesPerSec)),
    trainSeconds: Math.max(0, ...records.map((r) => r.elapsed)),
    val: val ? { step: val.step, top1: val.imageToText, top5: val.imageToText5 ?? null, textTop1: val.textToImage, chance: val.chance, chance5: val.chance5 ?? null, images: val.images, texts: val.texts ?? null } : null,
    splice: splice ? { step: splice.step, pmap: splice.pmap, ciou: splice.ciou, images: splice.images } : null,
    probe: probe ? { step: probe.step, accuracy: probe.accuracy, balancedAccuracy: probe.balancedAccuracy, images: probe.images, classes: probe.classes } : null,
    peakBytes: peaks.length ? Math.max(...peaks) : null,
  };
}

/** Dotted paths of every leaf of a config (arrays are leaves), with their JSON text. */
export function flattenConfig(v: Json, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flattenConfig(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(v));
  return out;
}

/** The config fields whose values are not the same in every run (run.out left out), sorted. */
export function differingFields(configs: readonly ({ [key: string]: Json } | null)[]): string[] {
  const flat = configs.map((c) => flattenConfig(c ?? {}));
  const keys = new Set(flat.flatMap((f) => [...f.keys()]));
  return [...keys].filter((k) => k !== 'run.out' && new Set(flat.map((f) => f.get(k) ?? 'absent')).size > 1).sort();
}
