/**
 * Resolves a run's configuration: preset < config file < --set assignments < the explicit
 * flags (--data, --out, --steps), then validates the result with the schema before anything
 * else happens. Errors name every offending field with the reason and the value found.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { trainConfigSchema, type TrainConfig } from './config.ts';
import { applyAssignment, mergeInto, parseAssignment, type Json } from './overrides.ts';
import { PRESET_NAMES, isPresetName, presetInput, type PresetName } from './presets.ts';

export interface ConfigIssue {
  /** dotted field path ('' for the whole config) */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[], what = 'invalid training config') {
    super(`${what}:\n${issues.map((i) => `  ${i.path || '(config)'}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ResolveOptions {
  /** default: the config file's "preset", else 'tiny' */
  preset?: string;
  /** a JSON file merged over the preset; may name its own "preset" */
  configFile?: string;
  /** `key.path=value` assignments, applied in order */
  sets?: readonly string[];
  /** data.source ('synth' or a path) */
  data?: string;
  /** run.out (default runs/<preset>) */
  out?: string;
  /** run.steps */
  steps?: number;
}

export interface ResolvedRun {
  preset: PresetName;
  config: TrainConfig;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function describeIssue(input: unknown, issue: z.core.$ZodIssue): ConfigIssue[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({ path: path ? `${path}.${k}` : k, message: 'unknown field' }));
  }
  const got = valueAt(input, issue.path);
  const shown = got === undefined ? 'missing' : JSON.stringify(got);
  return [{ path, message: `${issue.message} (got ${shown && shown.length > 80 ? `${shown.slice(0, 77)}...` : shown})` }];
}

/** Validates a complete config; fills defaults and resolves schedule.totalSteps. */
export function validateConfig(input: unknown): TrainConfig {
  const r = trainConfigSchema.safeParse(input);
  if (!r.success) throw new ConfigError(r.error.issues.flatMap((i) => describeIssue(input, i)));
  const c = r.data;
  // Concrete in what checkpoints store, so a resume with another run.steps cannot bend the schedule silently.
  c.schedule.totalSteps ??= c.run.steps;
  return c;
}

function readConfigFile(path: string): { [key: string]: Json } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([{ path: '', message: `cannot read ${path}: ${(e as Error).message}` }], 'config file');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([{ path: '', message: `${path} is not JSON: ${(e as Error).message}` }], 'config file');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError([{ path: '', message: `${path} must hold a JSON object` }], 'config file');
  return json as { [key: string]: Json };
}

function presetOf(name: string | undefined): PresetName {
  const n = name ?? 'tiny';
  if (!isPresetName(n)) throw new ConfigError([{ path: 'preset', message: `unknown preset ${JSON.stringify(n)} (known: ${PRESET_NAMES.join(', ')})` }]);
  return n;
}

export function resolveConfig(o: ResolveOptions = {}): ResolvedRun {
  const file = o.configFile ? readConfigFile(o.configFile) : null;
  const filePreset = file?.preset;
  if (file && filePreset !== undefined && typeof filePreset !== 'string') throw new ConfigError([{ path: 'preset', message: 'must be a preset name' }], 'config file');
  if (file) delete file.preset;
  const preset = presetOf(o.preset ?? (filePreset as string | undefined));
  const input = presetInput(preset, o.out ?? join('runs', preset)) as unknown as { [key: string]: Json };
  if (file) mergeInto(input, file);
  for (const s of o.sets ?? []) applyAssignment(input, parseAssignment(s));
  if (o.data !== undefined) applyAssignment(input, { path: ['data', 'source'], value: o.data });
  if (o.out !== undefined) applyAssignment(input, { path: ['run', 'out'], value: o.out });
  if (o.steps !== undefined) applyAssignment(input, { path: ['run', 'steps'], value: o.steps });
  return { preset, config: validateConfig(input) };
}
