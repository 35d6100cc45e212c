import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError, PRESET_NAMES, applyAssignment, configConflicts, exifClipConfig, mergeInto, parseAssignment, resolveConfig, scheduleOf,
  type ResolveOptions,
} from '../src/index.ts';

/** The issue paths a resolve rejects with (fails the test when it does not throw). */
function issuePaths(o: ResolveOptions): string[] {
  try {
    resolveConfig(o);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) => i.path);
  }
  throw new Error(`expected ${JSON.stringify(o)} to be rejected`);
}

describe('presets', () => {
  it.each(PRESET_NAMES)('%s validates and builds a consistent model config', (name) => {
    const { config, preset } = resolveConfig({ preset: name });
    expect(preset).toBe(name);
    expect(config.run.out).toBe(join('runs', name));
    expect(config.schedule.totalSteps).toBe(config.run.steps);
    const m = exifClipConfig(config);
    expect(m.image.embed).toBe(config.model.embed);
    expect(m.text.dim).toBe(config.model.embed);
    expect(m.text.maxPositions).toBeGreaterThanOrEqual(config.model.text.maxTokens);
  });

  it('paper preset is the official recipe', () => {
    const { config: c } = resolveConfig({ preset: 'paper' });
    const m = exifClipConfig(c);
    expect(m.image).toMatchObject({ block: 'bottleneck', layers: [3, 4, 6, 3], stem: 64, widths: [64, 128, 256, 512], embed: 768 });
    expect(m.text).toMatchObject({ dim: 768, layers: 6, heads: 12, ffn: 3072, maxPositions: 512, dropout: 0.1 });
    expect(m.logitScale).toEqual({ learned: false, value: 100 });
    expect(c.data).toMatchObject({ patchSize: 124, batchSize: 1024, cropsPerImage: 1 });
    expect(c.optimizer).toMatchObject({ kind: 'adam', lr: 1e-4, betas: [0.9, 0.98], eps: 1e-6, weightDecay: 1e-4 });
    expect(scheduleOf(c)).toEqual({ kind: 'cosine', lr: 1e-4, totalSteps: c.run.steps, warmupSteps: c.schedule.warmupSteps, minLr: 1e-7 });
  });

  it('small preset is the reference recipe (ResNet 32-64-128-256 at 64 px, 128-d, 2 x 128 text, batch 64)', () => {
    const { config: c } = resolveConfig({ preset: 'small' });
    expect(exifClipConfig(c).image).toMatchObject({ widths: [32, 64, 128, 256], embed: 128 });
    expect(c.model.text).toMatchObject({ layers: 2 });
    expect(c.data).toMatchObject({ patchSize: 64, batchSize: 64, cropsPerImage: 4 });
    expect(c.optimizer.lr).toBe(5e-4);
  });
});

describe('overrides', () => {
  it('parses values as JSON, else as strings', () => {
    expect(parseAssignment('optimizer.lr=5e-4')).toEqual({ path: ['optimizer', 'lr'], value: 5e-4 });
    expect(parseAssignment('data.source=/photos/a=b')).toEqual({ path: ['data', 'source'], value: '/photos/a=b' });
    expect(parseAssignment('optimizer.betas=[0.9,0.95]').value).toEqual([0.9, 0.95]);
    expect(parseAssignment('model.logitScale.learned=false').value).toBe(false);
    expect(() => parseAssignment('lr')).toThrow(/key\.path=value/);
    expect(() => parseAssignment('a..b=1')).toThrow(/dotted field path/);
    expect(() => parseAssignment('__proto__.x=1')).toThrow();
  });

  it('--set replaces (objects too) and null deletes; files merge deeply', () => {
    const base = { a: { b: 1, c: { d: 2, e: 3 } } };
    applyAssignment(base, { path: ['a', 'c'], value: { d: 9 } });
    expect(base).toEqual({ a: { b: 1, c: { d: 9 } } });
    applyAssignment(base, { path: ['a', 'b'], value: null });
    expect(base).toEqual({ a: { c: { d: 9 } } });
    expect(() => applyAssignment(base, { path: ['a', 'c', 'd', 'x'], value: 1 })).toThrow(/not an object/);
    expect(mergeInto({ a: { b: 1, c: [1, 2] } }, { a: { c: [3], z: true } })).toEqual({ a: { b: 1, c: [3], z: true } });
  });

  it('applies preset < file < --set < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exiflang-config-'));
    try {
      const file = join(dir, 'run.json');
      writeFileSync(file, JSON.stringify({ preset: 'small', optimizer: { lr: 2e-4 }, run: { steps: 500, seed: 7 }, data: { source: '/x' } }));
      const { preset, config } = resolveConfig({ configFile: file, sets: ['run.steps=600', 'data.source=/y'], steps: 700 });
      expect(preset).toBe('small');
      expect(config.optimizer.lr).toBe(2e-4);
      expect(config.run.seed).toBe(7);
      expect(config.run.steps).toBe(700);
      expect(config.schedule.totalSteps).toBe(700);
      expect(config.data.source).toBe('/y');
      expect(config.data.batchSize).toBe(64); // from the small preset
      expect(resolveConfig({ configFile: file, data: 'synth', out: '/o' }).config).toMatchObject({ data: { source: 'synth' }, run: { out: '/o' } });
      expect(resolveConfig({ configFile: file, preset: 'tiny' }).config.data.batchSize).toBe(32); // --preset beats the file's
      writeFileSync(file, '{ "run": ');
      expect(() => resolveConfig({ configFile: file })).toThrow(/not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('swaps a custom image tower for a named one with an object value', () => {
    const { config } = resolveConfig({ sets: ['model.image={"arch":"resnet18","widthMultiplier":0.25}'] });
    expect(exifClipConfig(config).image).toEqual({ block: 'basic', layers: [2, 2, 2, 2], stem: 16, widths: [16, 32, 64, 128], embed: 64, prefilter: null });
  });
});

describe('validation', () => {
  it('names every bad field with the reason', () => {
    expect(issuePaths({ sets: ['optimizer.lr=-1'] })).toEqual(['optimizer.lr']);
    expect(issuePaths({ sets: ['optimizer.learningRate=1'] })).toEqual(['optimizer.learningRate']);
    expect(issuePaths({ sets: ['model.text.heads=3'] })).toEqual(['model.text.heads']);
    expect(issuePaths({ sets: ['model.text.heads=1', 'model.embed=256'] })).toEqual(['model.text.heads']); // head width 256 > 128
    expect(issuePaths({ steps: 10 })).toEqual(['schedule.warmupSteps']);
    expect(issuePaths({ sets: ['schedule.minLr=1'] })).toEqual(['schedule.minLr']);
    expect(issuePaths({ sets: ['data.batchSize=1'] })).toEqual(['data.batchSize']);
    expect(issuePaths({ sets: ['data.batchSize=500'] })).toEqual(['data.batchSize']);
    expect(issuePaths({ sets: ['data.patchSize=384'] })).toEqual(['data.synth.minSize']); // the tiny zoo's images are 320-400 px
    expect(issuePaths({ sets: ['data.valFraction=0'] })).toEqual(['run.validateEvery']);
    expect(issuePaths({ sets: ['optimizer.betas=[0.9]'] })).toEqual(['optimizer.betas']);
    expect(issuePaths({ sets: ['optimizer.kind="sgd"'] })).toEqual(['optimizer.kind']);
    expect(issuePaths({ data: '' })).toEqual(['data.source']);
    expect(issuePaths({ sets: ['run.steps=2.5'] })).toContain('run.steps');
    expect(issuePaths({ sets: ['model.image.arch=resnet50'] })).toEqual(['model.image.block', 'model.image.layers', 'model.image.stem', 'model.image.widths']);
    expect(issuePaths({ sets: ['model.image={"arch":"custom"}'] })).toEqual(['model.image.block', 'model.image.layers', 'model.image.stem', 'model.image.widths']);
    expect(issuePaths({ preset: 'huge' })).toEqual(['preset']);
    // multi-crop steps: a divisor of the crops per decode, not with gradient caching, the image-image term needs 2 crops
    expect(issuePaths({ sets: ['data.cropsPerStep=3'] })).toEqual(['data.cropsPerStep']); // tiny cuts 4 crops
    expect(issuePaths({ sets: ['data.cropsPerStep=2', 'data.chunkSize=8'] })).toEqual(['data.cropsPerStep']);
    expect(issuePaths({ sets: ['model.imageImageWeight=1'] })).toEqual(['model.imageImageWeight']);
    expect(issuePaths({ sets: ['model.image.prefilter="blur"'] })).toEqual(['model.image.prefilter']);
    expect(resolveConfig({ sets: ['data.cropsPerStep=2', 'model.imageImageWeight=0.5', 'model.image.prefilter="highpass3"'] }).config.data.cropsPerStep).toBe(2);
  });

  it('says what it got and why', () => {
    const msg = (() => {
      try {
        resolveConfig({ sets: ['optimizer.lr=-1', 'data.workers="two"'] });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(msg).toMatch(/optimizer\.lr: .*>0.*\(got -1\)/);
    expect(msg).toMatch(/data\.workers: .*expected number.*\(got "two"\)/);
  });

  it('rejects before any work: no folder is created', () => {
    const out = join(tmpdir(), `exiflang-never-${process.pid}`);
    expect(() => resolveConfig({ out, sets: ['optimizer.lr=0'] })).toThrow(ConfigError);
    expect(existsSync(out)).toBe(false);
  });
});

describe('resume compatibility', () => {
  it('allows bookkeeping changes and names the others', () => {
    const a = resolveConfig({}).config;
    const b = resolveConfig({ steps: 400, out: '/elsewhere', sets: ['run.logEvery=5', 'data.workers=0', 'schedule.totalSteps=200'] }).config;
    expect(configConflicts(JSON.parse(JSON.stringify(a)), b)).toEqual([]);
    const c = resolveConfig({ sets: ['optimizer.lr=2e-3', 'model.text.layers=3'] }).config;
    expect(configConflicts(JSON.parse(JSON.stringify(a)), c).map((d) => d.path)).toEqual(['model.text.layers', 'optimizer.lr']);
    expect(configConflicts(JSON.parse(JSON.stringify(a)), resolveConfig({ steps: 400 }).config).map((d) => d.path)).toEqual(['schedule.totalSteps']);
  });
});
