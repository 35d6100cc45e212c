// The training-step benchmark's pieces that need neither a GPU run nor PyTorch.
import { describe, it, expect } from 'vitest';
import { bench } from '../src/index.ts';

const row = (over: Partial<bench.StepBenchRow>): bench.StepBenchRow => ({
  model: 'small', description: '', batch: 16, patch: 64, tokens: 175, parameters: 7_200_928,
  ours: { total: 4000, forward: 1500, backward: 2000, optimizer: 500 }, oursSamples: [4000], oursPatchesPerSec: 4,
  torch: { total: 1000, forward: 400, backward: 550, optimizer: 50 }, torchSamples: [1000], torchPatchesPerSec: 16,
  torchThreads: 2, torchBlas: 'libopenblas', torchNote: null, speedup: 0.25, lossOurs: 2.7, profile: null, ...over,
});

describe('bench-step', () => {
  it('presets mirror the recipes (paper: ResNet-50 fc 2048->768 at 124 px + DistilBERT-base)', () => {
    const p = bench.STEP_PRESETS.paper;
    expect(p.model.image).toMatchObject({ block: 'bottleneck', layers: [3, 4, 6, 3], widths: [64, 128, 256, 512], embed: 768 });
    expect(p.model.text).toMatchObject({ dim: 768, layers: 6, heads: 12, ffn: 3072, vocab: 30522 });
    expect(p.patch).toBe(124);
    expect(bench.isStepPreset('small')).toBe(true);
    expect(bench.isStepPreset('toString')).toBe(false);
  });

  it('formats both tables, with "-" where PyTorch did not run', () => {
    const lines = bench.formatStepTable([row({}), row({ model: 'paper', torch: null, torchPatchesPerSec: null, speedup: null, torchNote: 'x' })]);
    expect(lines[0]).toMatch(/^model\s+batch\s+patch\s+tokens\s+params\s+ours s\/step\s+ours patches\/s\s+torch s\/step\s+torch patches\/s\s+ours\/torch$/);
    expect(lines[2]).toMatch(/^small\s+16\s+64px\s+175\s+7\.2M\s+4\.00\s+4\.00\s+1\.00\s+16\.0\s+0\.25x$/);
    expect(lines[3]).toMatch(/^paper .* -\s+-\s+-$/);
    const phases = lines.slice(lines.indexOf('') + 1);
    expect(phases.filter((l) => / torch /.test(l))).toHaveLength(1);
    expect(phases[2]).toMatch(/^small\s+ours\s+1\.50\s+2\.00\s+0\.50\s+4\.00$/);
  });

  it('formats the kernel profile: GPU time per phase beside the wall clock, the slowest kernels, the rest summed', () => {
    const kernels = [
      { phase: 'backward', kernel: 'conv2d_dw', calls: 3, ms: 600, share: 0.6, slowestLabel: '3x3 64->64', slowestMs: 300 },
      { phase: 'forward', kernel: 'matmul', calls: 5, ms: 300, share: 0.3, slowestLabel: '64x64x64', slowestMs: 100 },
      { phase: 'Adam', kernel: 'adam', calls: 2, ms: 60, share: 0.06, slowestLabel: 'n=10', slowestMs: 40 },
      { phase: 'forward', kernel: 'relu', calls: 4, ms: 40, share: 0.04, slowestLabel: 'n=5', slowestMs: 20 },
    ];
    const gpuMs = { forward: 340, backward: 600, optimizer: 60, total: 1000 };
    const lines = bench.formatProfile(row({ profile: { gpuMs, kernels } }), 2);
    expect(lines.find((l) => l.startsWith('backward'))).toMatch(/^backward\s+600\s+2000\s+30%$/);
    expect(lines.find((l) => l.startsWith('total'))).toMatch(/^total\s+1000\s+4000\s+25%$/);
    const body = lines.slice(lines.lastIndexOf('') + 3);
    expect(body).toHaveLength(3);
    expect(body[0]).toMatch(/^backward\s+conv2d_dw\s+3\s+600\s+60\.0%\s+300 3x3 64->64$/);
    expect(body[2]).toMatch(/^\s+\(2 more\)\s+6\s+100\s+10\.0%/);
    expect(bench.formatProfile(row({}), 5)).toEqual([]);
  });

  it('a missing interpreter or a failing one skips the peer with a reason instead of failing', async () => {
    expect(await bench.TorchPeer.start(bench.STEP_PRESETS.small, { python: '/nonexistent/python3' })).toEqual({ reason: '/nonexistent/python3 not found (set EXIFLANG_PYTHON)' });
    // An "interpreter" that exits at once: the reason names the end of the peer.
    const r = await bench.TorchPeer.start(bench.STEP_PRESETS.small, { python: '/bin/false' });
    expect('reason' in r && r.reason).toMatch(/torch_step.py ended/);
  });
});
