import type { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getGpu } from '@exif-lang/kernels';
import { localizeFeatures, modelExtractor, patchCount, patchGrid, type PatchGrid } from '@exif-lang/eval';
import { ExifClip, noGrad } from '@exif-lang/models';

const PHASES = ['embed', 'volume', 'meanshift', 'ncuts', 'pca', 'upsample'] as const;
type Phase = (typeof PHASES)[number];
const PYTHON = '/usr/bin/python3';

interface Row { image: string; grid: PatchGrid; ours: Partial<Record<Phase, number>>; official: Partial<Record<Phase, number>> | null }

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Features like a trained tower's (non-negative after ReLU, two sources so the cut has a split), seeded. */
function syntheticFeatures(g: PatchGrid, dim: number): Float32Array {
  const n = patchCount(g);
  const f = new Float32Array(n * dim);
  let s = 12345;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let i = 0; i < n; i++) {
    const r = Math.floor(i / g.cols);
    const c = i % g.cols;
    const other = r > g.rows * 0.3 && r < g.rows * 0.7 && c > g.cols * 0.5;
    for (let k = 0; k < dim; k++) f[i * dim + k] = rnd() + (other === (k % 2 === 0) ? 0.5 : 0);
  }
  return f;
}

function fmt(v: number | undefined): string {
  return v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

export function registerBenchLocalize(program: Command): void {
  program
    .command('bench-localize')
    .description('splice localization per phase (embed, volume, mean shift, ncuts, PCA, upsample) for a 1024x1024 and a 12-megapixel image, beside the official post-processing in Python on the same embeddings')
    .option('--reps <n>', 'timed repetitions (median)', '3')
    .option('--json <file>', 'write the results as JSON')
    .option('--no-python', 'skip the official peer')
    .action(async (o: { reps: string; json?: string; python: boolean }) => {
      const reps = Math.max(1, Number(o.reps));
      const gpu = await getGpu();
      // The paper's towers at its patch: ResNet-50 (fc 2048 -> 768) for the embed phase.
      const model = new ExifClip(gpu, { image: { block: 'bottleneck', layers: [3, 4, 6, 3], stem: 64, widths: [64, 128, 256, 512], embed: 768 }, text: { vocab: 8, dim: 768, maxPositions: 8, layers: 1, heads: 12, ffn: 8 }, seed: 1 });
      model.eval();
      const rows: Row[] = [];
      const peer = o.python && existsSync(PYTHON) && existsSync('scripts/parity/official_localize.py');
      const tmp = mkdtempSync(join(tmpdir(), 'bench-localize-'));
      try {
        for (const [name, w, h] of [['1024x1024', 1024, 1024], ['12 MP (4000x3000)', 4000, 3000]] as const) {
          const g = patchGrid(w, h, 124);
          const dim = 768;
          const feats = syntheticFeatures(g, dim);
          // embed: the ResNet-50 over the grid's patches of a flat grey image (content does not change the cost)
          const img = { width: w, height: h, data: new Uint8Array(w * h * 3).fill(128) };
          const ex = modelExtractor(model, 124, 'resnet50');
          const runs: Partial<Record<Phase, number>>[] = [];
          await localizeFeatures(gpu, feats, dim, g); // warm-up: pipelines compiled
          for (let r = 0; r < reps; r++) {
            const t0 = performance.now();
            await noGrad(() => ex.features(img, g));
            const embed = performance.now() - t0;
            const res = await localizeFeatures(gpu, feats, dim, g);
            runs.push({ embed, ...res.timings });
          }
          const ours = Object.fromEntries(PHASES.map((p) => [p, median(runs.map((x) => x[p] ?? 0))])) as Record<Phase, number>;
          let official: Row['official'] = null;
          if (peer) {
            const input = join(tmp, `${w}x${h}.json`);
            writeFileSync(input, JSON.stringify({ width: w, height: h, patch: 124, dim, features: Array.from(feats) }));
            const times: Partial<Record<Phase, number>>[] = [];
            for (let r = 0; r < reps; r++) {
              const out = JSON.parse(execFileSync(PYTHON, ['scripts/parity/official_localize.py', input], { maxBuffer: 1 << 30 }).toString()) as { timings_ms: Record<string, number> };
              times.push(out.timings_ms);
            }
            official = Object.fromEntries(PHASES.filter((p) => p !== 'embed').map((p) => [p, median(times.map((x) => x[p] ?? 0))]));
          }
          rows.push({ image: name, grid: g, ours, official });
          process.stderr.write(`measured ${name}\n`);
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
        model.dispose();
      }
      const lines = [`splice localization phases, ms (median of ${reps}; ${gpu.adapter.description || gpu.adapter.device}); official = scripts/parity/official_localize.py (numpy/scipy/sklearn) on the same embeddings`];
      lines.push(`${'image'.padEnd(20)}${'grid'.padEnd(22)}${'phase'.padEnd(11)}${'ours'.padStart(10)}${'official'.padStart(10)}${'ratio'.padStart(9)}`);
      for (const r of rows) {
        const grid = `${r.grid.rows}x${r.grid.cols} p, ${r.grid.cellRows}x${r.grid.cellCols} c`;
        let ot = 0;
        let tt = 0;
        for (const p of PHASES) {
          const a = r.ours[p];
          const b = r.official?.[p];
          if (p !== 'embed') {
            ot += a ?? 0;
            tt += b ?? 0;
          }
          lines.push(`${r.image.padEnd(20)}${grid.padEnd(22)}${p.padEnd(11)}${fmt(a).padStart(10)}${fmt(b).padStart(10)}${(a && b ? `${(b / a).toFixed(2)}x` : '-').padStart(9)}`);
        }
        lines.push(`${r.image.padEnd(20)}${grid.padEnd(22)}${'post total'.padEnd(11)}${fmt(ot).padStart(10)}${fmt(r.official ? tt : undefined).padStart(10)}${(r.official ? `${(tt / ot).toFixed(2)}x` : '-').padStart(9)}`);
      }
      lines.push('ratio = official time / ours (> 1: ours faster)');
      process.stdout.write(`${lines.join('\n')}\n`);
      if (o.json) {
        mkdirSync(dirname(o.json), { recursive: true });
        writeFileSync(o.json, `${JSON.stringify({ adapter: gpu.adapter, reps, rows }, null, 2)}\n`);
      }
    });
}
