/**
 * Runs one PyTorch parity fixture (scripts/parity/make_parity.py) through our model: eval-mode
 * embeddings, one train-mode forward (embeddings, logits, loss, BN running statistics) and
 * the backward of its InfoNCE loss (every parameter gradient). Shared by the CI test on the
 * small fixture and the opt-in full-size check.
 */
import { getGpu } from '@exif-lang/kernels';
import {
  backward, compareTensors, keep, loadModel, noGrad, readSafetensors, relativeError, scope, tensor, writeSafetensors,
  toFloat32, type ParityReport, type RawTensor, type Tensor, type TensorDiff, type TensorMap,
} from '../src/index.ts';

export interface ParityResult {
  /** eval.image_embeds, eval.text_embeds, train.image_embeds, train.text_embeds, train.logits_per_image, train.loss */
  outputs: TensorDiff[];
  /** after.image.*.running_mean / running_var (relative), num_batches_tracked (exact) */
  bn: ParityReport;
  counters: { key: string; expected: number; actual: number }[];
  grads: ParityReport;
  /** cosine similarity of our and PyTorch's flattened gradient, per parameter */
  gradCosines: Map<string, number>;
  seconds: { load: number; eval: number; train: number; backward: number };
}

const f32 = (t: RawTensor): Float32Array => t.data as Float32Array;
const u32 = (t: RawTensor): Uint32Array => Uint32Array.from(t.data as Int32Array);

async function read(t: Tensor): Promise<RawTensor> {
  return { dtype: 'F32', shape: [...t.shape], data: await t.data() };
}

/** `dump`: also write our outputs, BN buffers and gradients (fixture names) to this safetensors file. */
export async function runParity(dir: string, textHeads: number, dump?: string): Promise<ParityResult> {
  const gpu = await getGpu();
  const t0 = performance.now();
  const io = readSafetensors(`${dir}/io.safetensors`).tensors;
  const expectedGrads = readSafetensors(`${dir}/grads.safetensors`).tensors;
  // Dropout 0: the fixtures are made without it (a seeded mask cannot match PyTorch's RNG).
  const { model } = loadModel(gpu, `${dir}/model.pth`, { textHeads, dropout: 0, attentionDropout: 0 });
  const img = io.get('input.image')!;
  const idsRaw = io.get('input.input_ids')!;
  const images = tensor(gpu, f32(img), img.shape);
  const ids = tensor(gpu, u32(idsRaw), idsRaw.shape, 'u32');
  const mask = tensor(gpu, u32(io.get('input.attention_mask')!), idsRaw.shape, 'u32');
  const t1 = performance.now();
  const actual: TensorMap = new Map();
  try {
    model.eval();
    const ev = noGrad(() => scope(() => ({ i: keep(model.encodeImage(images)), t: keep(model.encodeText(ids, mask)) })));
    actual.set('eval.image_embeds', await read(ev.i));
    actual.set('eval.text_embeds', await read(ev.t));
    ev.i.dispose();
    ev.t.dispose();
    const t2 = performance.now();

    model.train();
    const tr = scope(() => {
      const i = model.image.forward(images);
      const t = model.text.forward(ids, mask);
      const r = model.lossOf(i, t);
      return { i: keep(i), t: keep(t), loss: keep(r.loss), logits: keep(noGrad(() => model.logits(i, t))) };
    });
    actual.set('train.image_embeds', await read(tr.i));
    actual.set('train.text_embeds', await read(tr.t));
    actual.set('train.logits_per_image', await read(tr.logits));
    actual.set('train.loss', await read(tr.loss));
    const t3 = performance.now();
    backward(tr.loss);
    const grads = await model.gradDict();
    const t4 = performance.now();
    for (const t of Object.values(tr)) t.dispose();

    const outputs = [...actual].map(([key, a]) => ({ key, ...relativeError(io.get(key)!, a) }));
    const sd = await model.stateDict();
    if (dump) {
      const all: TensorMap = new Map(actual);
      for (const [k, t] of sd) if (/running_|num_batches/.test(k)) all.set(`after.${k}`, t);
      for (const [k, t] of grads) all.set(`grad.${k}`, t);
      writeSafetensors(dump, all);
    }
    const bnActual: TensorMap = new Map([...sd].filter(([k]) => /running_(mean|var)$/.test(k)));
    const counters = [...io].filter(([k]) => k.endsWith('num_batches_tracked')).map(([k, e]) => ({
      key: k.slice('after.'.length),
      expected: Number(e.data[0]),
      actual: Number(sd.get(k.slice('after.'.length))?.data[0] ?? NaN),
    }));
    return {
      outputs,
      bn: compareTensors(new Map([...io].filter(([k]) => /^after\..*running_(mean|var)$/.test(k))), bnActual, { prefix: 'after.', tolerance: 1e-4 }),
      counters,
      grads: compareTensors(expectedGrads, grads, { prefix: 'grad.', tolerance: 1e-3 }),
      gradCosines: new Map([...grads].map(([k, g]) => [k, cosine(expectedGrads.get(`grad.${k}`)!, g)])),
      seconds: { load: (t1 - t0) / 1e3, eval: (t2 - t1) / 1e3, train: (t3 - t2) / 1e3, backward: (t4 - t3) / 1e3 },
    };
  } finally {
    for (const t of [images, ids, mask]) t.dispose();
    model.zeroGrad();
    model.dispose();
  }
}

function cosine(e: RawTensor, a: RawTensor): number {
  const x = toFloat32(e);
  const y = toFloat32(a);
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    xy += x[i] * y[i];
    xx += x[i] * x[i];
    yy += y[i] * y[i];
  }
  return xx === 0 && yy === 0 ? 1 : xy / Math.sqrt(xx * yy);
}

/** One line per measure, worst first, for logs and the report. */
export function describeParity(r: ParityResult): string {
  const fmt = (d: TensorDiff) => `${d.key}: ${d.relative.toExponential(2)} (max |diff| ${d.maxAbsDiff.toExponential(2)}, max |expected| ${d.maxAbsExpected.toExponential(2)})`;
  const lines = r.outputs.map(fmt);
  if (r.bn.worst) lines.push(`BN running stats (${r.bn.diffs.length}), worst ${fmt(r.bn.worst)}`);
  lines.push(`num_batches_tracked: ${r.counters.every((c) => c.expected === c.actual) ? `all ${r.counters.length} equal` : 'DIFFER'}`);
  if (r.grads.worst) lines.push(`gradients (${r.grads.diffs.length}), worst ${fmt(r.grads.worst)}; missing ${r.grads.missing.length}`);
  const top = [...r.grads.diffs].sort((a, b) => b.relative - a.relative).slice(0, 8);
  for (const d of top) lines.push(`  ${fmt(d)}`);
  // (the attention key biases' true gradient is 0: their cosine is noise, left out)
  const worstCos = [...r.gradCosines].filter(([k]) => !k.endsWith('k_lin.bias')).reduce((w, c) => (c[1] < w[1] ? c : w), ['', 1] as [string, number]);
  lines.push(`lowest gradient cosine similarity: ${worstCos[1].toFixed(6)} (${worstCos[0]})`);
  lines.push(`seconds: load ${r.seconds.load.toFixed(1)}, eval ${r.seconds.eval.toFixed(1)}, train forward ${r.seconds.train.toFixed(1)}, backward ${r.seconds.backward.toFixed(1)}`);
  return lines.join('\n');
}
