/**
 * The page: a photo in, the official zero-shot splice localization out, all in this tab. The
 * kernels, the model and the localization are the same modules `exiflang localize` runs in
 * Node (packages/kernels, models, eval), here on navigator.gpu; the checkpoint comes from the
 * 127.0.0.1 server that served the page (or from a file the user opens).
 */
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { heatmapOverlay, localize, maskPixels, openExtractor, type Localization, type OpenedExtractor } from '@exif-lang/eval';
import { fetchDefaultCheckpoint, readCheckpointFile, type CheckpointBytes } from './checkpoint.ts';
import { decodeRgb } from './decode.ts';
import { readExifRows } from './exif.ts';
import { paintGrey, paintRgb } from './paint.ts';

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page: #${id} missing`);
  return e as T;
}

const status = el<HTMLSpanElement>('status');
const bar = el<HTMLProgressElement>('progress');

function progress(text: string, done = 0, total = 1): void {
  status.textContent = text;
  bar.max = total;
  bar.value = done;
}

function fillTable(id: string, rows: ReadonlyArray<readonly [string, string]>): void {
  const body = el<HTMLTableElement>(id).tBodies[0]!;
  body.replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement('tr');
    for (const text of [k, v]) tr.appendChild(document.createElement('td')).textContent = text;
    return tr;
  }));
}

// Embedding progress goes to whatever image is being localized now.
let onEmbed: (done: number, total: number) => void = () => {};

let gpuReady: Promise<Gpu> | null = null;
function gpu(): Promise<Gpu> {
  gpuReady ??= getGpu().then((g) => {
    const a = g.adapter;
    el('adapter').textContent = `GPU: ${[a.description, a.device, a.vendor].filter(Boolean).join(' / ') || 'WebGPU adapter'}${a.isCpu ? ' (software)' : ''}`;
    return g;
  });
  return gpuReady;
}

let model: Promise<OpenedExtractor> | null = null;
async function useCheckpoint(load: Promise<CheckpointBytes>): Promise<OpenedExtractor> {
  const previous = model;
  const next = (async () => {
    const [g, ckpt] = await Promise.all([gpu(), load]);
    (await previous?.catch(() => null))?.dispose();
    progress(`building the model from ${ckpt.name}…`);
    const opened = openExtractor(g, ckpt.bytes, { name: ckpt.name, onProgress: (d, t) => onEmbed(d, t) });
    el('ckpt-name').textContent = `${ckpt.name} (${opened.patchSize} px patches)`;
    progress('ready: open a photo');
    return opened;
  })();
  model = next;
  return next;
}

function showResult(name: string, image: { width: number; height: number; data: Uint8Array }, r: Localization, times: Record<string, number>): void {
  const { width, height } = image;
  paintRgb(el('heatmap'), width, height, heatmapOverlay(image, r.heatmap));
  paintGrey(el('mask'), width, height, maskPixels(r.mask));
  paintRgb(el('pca'), width, height, r.pca);
  const score = el('score');
  score.textContent = r.score.toPrecision(6);
  score.dataset.value = String(r.score); // full precision, for tests
  score.dataset.image = name;
  fillTable('timings', Object.entries(times).map(([k, v]) => [k, v.toFixed(0)]));
  el('result').hidden = false;
}

let queue: Promise<void> = Promise.resolve();
function localizeFile(file: File): void {
  queue = queue.then(async () => {
    const t0 = performance.now();
    try {
      progress(`reading ${file.name}…`);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const opened = await (model ?? useCheckpoint(fetchDefaultCheckpoint((d, t) => progress('downloading the checkpoint…', d, t))));
      const t1 = performance.now();
      const image = await decodeRgb(bytes, file.type);
      const decode = performance.now() - t1;
      fillTable('exif', await readExifRows(bytes));
      onEmbed = (d, t) => progress(d < t ? `embedding patches ${d} / ${t}` : 'volume, mean shift, normalized cut, PCA…', d, t);
      progress(`localizing ${file.name} (${image.width}x${image.height})…`);
      const r = await localize(await gpu(), opened.extractor, image, { method: 'official', name: file.name });
      const times: Record<string, number> = { decode, ...(r.timings as Record<string, number>), total: performance.now() - t0 };
      showResult(file.name, image, r, times);
      progress(`done: ${file.name} in ${(times.total! / 1000).toFixed(1)} s`, 1, 1);
    } catch (e) {
      progress(`failed: ${(e as Error).message}`);
      console.error(e);
    }
  });
}

const imageInput = el<HTMLInputElement>('image-input');
imageInput.addEventListener('change', () => {
  const f = imageInput.files?.[0];
  if (f) localizeFile(f);
});
const drop = el('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer?.files[0];
  if (f) localizeFile(f);
});
const ckptInput = el<HTMLInputElement>('checkpoint-input');
ckptInput.addEventListener('change', () => {
  const f = ckptInput.files?.[0];
  if (f) useCheckpoint(readCheckpointFile(f)).catch((e: Error) => progress(`checkpoint failed: ${e.message}`));
});

// For the browser test: the page's decoder on given bytes, pixels as base64 (compared with sharp).
(globalThis as { exiflangDecode?: unknown }).exiflangDecode = async (base64: string, type: string) => {
  const img = await decodeRgb(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)), type);
  let s = '';
  for (let i = 0; i < img.data.length; i += 0x8000) s += String.fromCharCode(...img.data.subarray(i, i + 0x8000));
  return { width: img.width, height: img.height, base64: btoa(s) };
};

// Start the GPU and the default checkpoint at once: the first photo then waits only for itself.
useCheckpoint(fetchDefaultCheckpoint((d, t) => progress('downloading the checkpoint…', d, t))).catch((e: Error) => progress(`checkpoint failed: ${e.message}`));
