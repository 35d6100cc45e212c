import { describe, it, beforeAll, afterAll, expect } from 'vitest';
import { mkdtempSync, rmSync, existsSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { ExifClip, backward, scope, tensor, writeSafetensors, type ExifClipConfig } from '../src/index.ts';
import type { Module } from '../src/nn/module.ts';
import { testing } from '@exif-lang/kernels';
import { Adam, SGD, weightDecayGroups, type Optimizer } from '../src/optim/index.ts';
import { CheckpointDir, LATEST_POINTER } from '../src/checkpoint/training-dir.ts';
import { loadTrainingCheckpoint, readTrainingCheckpointInfo, saveTrainingCheckpoint } from '../src/checkpoint/training.ts';
import { TinyMlp, lossAndGrad } from './optim-mlp.ts';

let gpu: Gpu;
let dir: string;
beforeAll(async () => {
  gpu = await getGpu();
  dir = mkdtempSync(join(tmpdir(), 'exiflang-ckpt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIMS = { in: 5, hidden: 12, out: 3 };
const TOTAL = 7;
const config = { preset: 'tiny-mlp', dims: DIMS };

/** The paper's optimizer recipe (Adam, betas (0.9, 0.98), eps 1e-6, wd 1e-4 off norms/biases, warm-up + cosine), plus clipping. */
function paperAdam(m: TinyMlp): Optimizer {
  return new Adam(weightDecayGroups(m, 1e-4), {
    lr: 5e-2, betas: [0.9, 0.98], eps: 1e-6, maxGradNorm: 0.5,
    schedule: { kind: 'cosine', lr: 5e-2, warmupSteps: 2, totalSteps: TOTAL, minLr: 1e-7 },
  });
}

/** Steps [from, to) of the run: data position = step. */
function train(m: TinyMlp, opt: Optimizer, from: number, to: number): void {
  for (let s = from; s < to; s++) {
    lossAndGrad(m, s);
    opt.step();
    opt.zeroGrad();
  }
}

async function snapshot(m: Module, opt: Optimizer): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [n, t] of await m.stateDict()) out.set(n, t.dtype === 'F32' ? t.data : Float32Array.from(t.data as BigInt64Array, Number));
  for (const [n, t] of (await opt.stateDict()).tensors) out.set(n, t.data as Float32Array);
  return out;
}

function expectBitEqual(a: Map<string, Float32Array>, b: Map<string, Float32Array>): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [k, v] of a) {
    const w = b.get(k)!;
    const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
    expect(bits(w), k).toEqual(bits(v));
  }
}

describe('training checkpoints', () => {
  it('resume continues bit for bit like the uninterrupted run (Adam, groups, clip, schedule, skipped grads, dropout)', async () => {
    const a = new TinyMlp(gpu, DIMS, 1);
    const optA = paperAdam(a);
    train(a, optA, 0, TOTAL);
    const ref = await snapshot(a, optA);

    const k = 3;
    const b = new TinyMlp(gpu, DIMS, 1);
    const optB = paperAdam(b);
    train(b, optB, 0, k);
    const run = new CheckpointDir(join(dir, 'resume'), { keepLast: 2 });
    const saved = await run.save({ model: b, optimizer: optB, config, data: { position: k }, rng: { seed: 1 } });
    optB.dispose();
    b.dispose();

    // "New process": other initial weights, another lr, nothing stepped; everything comes from the file.
    const c = new TinyMlp(gpu, DIMS, 99);
    const optC = paperAdam(c);
    optC.setLr(123);
    const path = run.latest();
    expect(path).toBe(saved);
    const info = loadTrainingCheckpoint(path!, { model: c, optimizer: optC });
    expect(info.step).toBe(k);
    expect(info.config).toEqual(config);
    expect(info.rng).toEqual({ seed: 1 });
    expect(info.moduleRng).toEqual({ '': { calls: k, seed: null } });
    expect(info.schedule?.step).toBe(k);
    expect(info.schedule?.nextLr).toBe(optC.nextLr());
    expect(c.calls).toBe(k);
    expect(optC.stepCount).toBe(k);
    // aux only gets a gradient on even calls: its own step count lags (0 and 2 -> 2 updates).
    expect(optC.slots.find((s) => s.name === 'aux')?.step).toBe(2);
    const pos = (info.data as { position: number }).position;
    train(c, optC, pos, TOTAL);
    expectBitEqual(await snapshot(c, optC), ref);
    for (const o of [optA, optC]) o.dispose();
    for (const m of [a, c]) m.dispose();
  });

  it('writes the documented layout: model keys as the state dict, optim.m/v.<param>, metadata', async () => {
    const m = new TinyMlp(gpu, DIMS, 2);
    const opt = paperAdam(m);
    train(m, opt, 0, 2);
    const path = join(dir, 'layout.safetensors');
    await saveTrainingCheckpoint(path, { model: m, optimizer: opt, data: { shard: 3, offset: 17 }, extra: { note: 'x' } });
    const info = readTrainingCheckpointInfo(path);
    const params = [...m.namedParameters()].map(([n]) => n);
    expect(info.modelKeys.sort()).toEqual(params.sort());
    expect(info.step).toBe(2);
    expect(info.data).toEqual({ shard: 3, offset: 17 });
    expect(info.extra).toEqual({ note: 'x' });
    expect(info.metadata.format).toBe('exif-lang');
    expect(info.metadata.kind).toBe('training');
    expect(info.optimizer?.kind).toBe('adam');
    expect(info.optimizer?.groups.map((g) => g.weightDecay)).toEqual([1e-4, 0]);
    // 2-D weights decay; 1-D biases, LayerNorm affine, scale and aux do not.
    expect(info.optimizer?.groups[0].params).toEqual(['fc1.weight', 'fc2.weight']);
    expect(info.optimizer?.steps).toEqual({ 'fc1.weight': 2, 'fc1.bias': 2, ln_weight: 2, ln_bias: 2, 'fc2.weight': 2, 'fc2.bias': 2, scale: 2, aux: 1 });
    opt.dispose();
    m.dispose();
  });

  it('rotation keeps the newest N and moves `latest`; a lost pointer falls back to the highest step', async () => {
    const m = new TinyMlp(gpu, DIMS, 3);
    const opt = new SGD(m, { lr: 0.01, momentum: 0.9 });
    const run = new CheckpointDir(join(dir, 'rot'), { keepLast: 2 });
    expect(run.latest()).toBeNull();
    for (let s = 0; s < 4; s++) {
      train(m, opt, s, s + 1);
      await run.save({ model: m, optimizer: opt });
    }
    expect(run.list().map((c) => c.step)).toEqual([3, 4]);
    expect(run.latest()).toBe(run.pathFor(4));
    unlinkSync(join(run.dir, LATEST_POINTER));
    expect(run.latest()).toBe(run.pathFor(4));
    writeFileSync(join(run.dir, LATEST_POINTER), 'step-000000003.safetensors\n');
    expect(run.latest()).toBe(run.pathFor(3));
    writeFileSync(join(run.dir, LATEST_POINTER), 'step-000000001.safetensors\n'); // dangling
    expect(run.latest()).toBe(run.pathFor(4));
    expect(readdirSync(run.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    opt.dispose();
    m.dispose();
  });

  it('refuses foreign files and mismatched optimizers without touching the model', async () => {
    const m = new TinyMlp(gpu, DIMS, 4);
    const opt = new SGD(m, { lr: 0.01, momentum: 0.9 });
    train(m, opt, 0, 1);
    const path = join(dir, 'sgd.safetensors');
    await saveTrainingCheckpoint(path, { model: m });
    const plain = join(dir, 'plain.safetensors');
    writeSafetensors(plain, await m.stateDict(), { format: 'exif-lang' });
    expect(() => readTrainingCheckpointInfo(plain)).toThrow(/not an exif-lang training checkpoint/);
    expect(() => loadTrainingCheckpoint(path, { model: m, optimizer: opt })).toThrow(/holds no optimizer state/);

    await saveTrainingCheckpoint(path, { model: m, optimizer: opt });
    const other = new TinyMlp(gpu, DIMS, 5);
    const before = await other.fc1.weight.data();
    const adam = new Adam(other, { lr: 0.01 });
    expect(() => loadTrainingCheckpoint(path, { model: other, optimizer: adam })).toThrow(/the state is sgd, this optimizer is adam/);
    const nesterov = new SGD(other, { lr: 0.01, momentum: 0.9, nesterov: true });
    expect(() => loadTrainingCheckpoint(path, { model: other, optimizer: nesterov })).toThrow(/nesterov is false in the state, true here/);
    expect(Array.from(await other.fc1.weight.data())).toEqual(Array.from(before));
    // Without an optimizer the weights alone load (evaluation).
    loadTrainingCheckpoint(path, { model: other });
    expect(Array.from(await other.fc1.weight.data())).toEqual(Array.from(await m.fc1.weight.data()));
    expect(existsSync(path)).toBe(true);
    for (const o of [opt, adam, nesterov]) o.dispose();
    for (const x of [m, other]) x.dispose();
  });
});

// A small EXIF-CLIP: BatchNorm running statistics and num_batches_tracked, nn.Dropout call
// counters in the text tower, a learned logit scale, a padded text batch.
const CLIP: ExifClipConfig = {
  image: { block: 'basic', layers: [1, 1, 1, 1], stem: 4, widths: [4, 8, 8, 8], embed: 16 },
  text: { vocab: 64, dim: 16, maxPositions: 16, layers: 1, heads: 2, ffn: 24, dropout: 0.1, attentionDropout: 0.1 },
  logitScale: { learned: true },
};

function clipStep(m: ExifClip, opt: Optimizer, pos: number): void {
  const B = 3;
  const T = 6;
  scope(() => {
    const images = tensor(gpu, testing.randNormal(B * 24 * 24 * 3, 300 + pos), [B, 24, 24, 3]);
    const ids = tensor(gpu, Uint32Array.from(testing.randUniform(B * T, 400 + pos, 1, 64), Math.floor), [B, T], 'u32');
    const mask = tensor(gpu, Uint32Array.from({ length: B * T }, (_, i) => (i % T < T - (i / T | 0) ? 1 : 0)), [B, T], 'u32');
    backward(m.loss(images, ids, mask).loss);
  });
  opt.step();
  opt.zeroGrad();
}

describe('training checkpoints of the EXIF-CLIP model', () => {
  it('resume is bit for bit (BN running stats and counters, dropout calls, learned scale)', async () => {
    const TOTAL_CLIP = 3;
    const mk = (seed: number) => {
      const m = new ExifClip(gpu, { ...CLIP, seed });
      return { m, opt: new Adam(weightDecayGroups(m, 1e-4), { lr: 1e-3, betas: [0.9, 0.98], eps: 1e-6, maxGradNorm: 1, schedule: { kind: 'cosine', lr: 1e-3, warmupSteps: 1, totalSteps: TOTAL_CLIP, minLr: 1e-7 } }) };
    };
    const a = mk(1);
    for (let s = 0; s < TOTAL_CLIP; s++) clipStep(a.m, a.opt, s);
    const ref = await snapshot(a.m, a.opt);

    const b = mk(1);
    clipStep(b.m, b.opt, 0);
    const path = join(dir, 'clip.safetensors');
    await saveTrainingCheckpoint(path, { model: b.m, optimizer: b.opt, data: { position: 1 } });
    const info = readTrainingCheckpointInfo(path);
    expect(Object.values(info.moduleRng).some((r) => r.calls > 0 && r.seed !== null)).toBe(true); // dropout layers were counted
    b.opt.dispose();
    b.m.dispose();

    // Another seed builds dropout layers with other masks: refused (weights alone would load).
    const other = mk(2);
    expect(() => loadTrainingCheckpoint(path, { model: other.m, optimizer: other.opt })).toThrow(/dropout module 'text\.embeddings\.dropout' has seed \d+, the checkpoint \d+/);
    other.opt.dispose();
    other.m.dispose();
    // The run's config, with objects that moved on elsewhere (weights, BN stats, Adam state, dropout calls): all overwritten.
    const c = mk(1);
    clipStep(c.m, c.opt, 99);
    clipStep(c.m, c.opt, 98);
    loadTrainingCheckpoint(path, { model: c.m, optimizer: c.opt });
    for (let s = 1; s < TOTAL_CLIP; s++) clipStep(c.m, c.opt, s);
    expectBitEqual(await snapshot(c.m, c.opt), ref);
    expect(ref.get('image.bn1.num_batches_tracked')?.[0]).toBe(TOTAL_CLIP);
    for (const x of [a, c]) {
      x.opt.dispose();
      x.m.dispose();
    }
  });
});
