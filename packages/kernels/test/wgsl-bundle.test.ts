import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { GENERATED, renderWgslModule } from '../../../scripts/gen-wgsl.ts';
import { WGSL_SOURCES } from '../src/runtime/wgsl-sources.gen.ts';
import { readWgsl, wgslPath } from '../src/runtime/kernel.ts';

describe('bundled WGSL sources', () => {
  it('the committed module matches the .wgsl files (else run: npx tsx scripts/gen-wgsl.ts)', () => {
    expect(readFileSync(GENERATED, 'utf8') === renderWgslModule()).toBe(true);
  });

  it('holds every kernel file with its exact text', () => {
    const path = new URL('../src/ops/matmul/matmul.wgsl', import.meta.url);
    expect(WGSL_SOURCES['ops/matmul/matmul.wgsl']).toBe(readFileSync(path, 'utf8'));
    expect(Object.keys(WGSL_SOURCES).length).toBeGreaterThan(50);
  });

  it('resolves paths relative to an op folder, up a level, and from src', () => {
    expect(wgslPath('ops/attention/', './attention_io.wgsl')).toBe('ops/attention/attention_io.wgsl');
    expect(wgslPath('ops/attention/', '../dropout/dropout_hash.wgsl')).toBe('ops/dropout/dropout_hash.wgsl');
    expect(wgslPath('ops/softmax/', '/ops/layernorm/row_reduce.wgsl')).toBe('ops/layernorm/row_reduce.wgsl');
  });

  it('concatenates in order and names a missing file', () => {
    const two = readWgsl('ops/dropout/', ['./dropout_hash.wgsl', './dropout.wgsl']);
    expect(two).toBe(`${WGSL_SOURCES['ops/dropout/dropout_hash.wgsl']}\n${WGSL_SOURCES['ops/dropout/dropout.wgsl']}`);
    expect(() => readWgsl('ops/dropout/', './nope.wgsl')).toThrow(/ops\/dropout\/nope\.wgsl/);
  });
});
