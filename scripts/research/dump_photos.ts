/**
 * For the PyTorch proxy (photos_proxy.py): per photo of a folder, its path, size, Make/Model, the
 * side of the training split at two held-apart fractions, the EXIF text the `photos` preset
 * trains on and its token ids, so the proxy trains on exactly our texts without a tokenizer.
 *
 *   npx tsx scripts/research/dump_photos.ts ../shared/photos OUT.json [maxTokens=96] [fractions=0.15,0.30]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExifTokenizer, buildIndex, exifToText, indexPaths, readIndex, readVocabulary, splitOf } from '../../packages/data/src/index.ts';

const [source, out, maxTokens = '96', fractions = '0.15,0.30'] = process.argv.slice(2);
if (!source || !out) {
  process.stderr.write('usage: npx tsx scripts/research/dump_photos.ts PHOTOS_DIR OUT.json [maxTokens] [fractions]\n');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'exiflang-dump-'));
try {
  const index = join(dir, 'index.jsonl');
  await buildIndex(source, index, { minSize: 64 });
  const entries = await readIndex(index);
  const { tags } = await readVocabulary(indexPaths(index).vocabulary);
  const tokenizer = new ExifTokenizer({ maxLength: Number(maxTokens) });
  const fs = fractions.split(',').map(Number);
  const rows = entries.map((e) => {
    const text = exifToText({ tags: e.exif }, { tags, subset: 'all', values: 'normalized', shuffle: false, dropout: 0, seed: 0 });
    const split = Object.fromEntries(fs.map((f) => [String(f), splitOf(e.id, f)]));
    return { id: e.id, path: e.path, width: e.width, height: e.height, make: e.exif.Make ?? '', model: e.exif.Model ?? '', split, text, ids: tokenizer.encode(text).ids };
  });
  writeFileSync(out, JSON.stringify(rows));
  process.stdout.write(`${rows.length} photos -> ${out}; held apart: ${fs.map((f) => `${f}: ${rows.filter((r) => r.split[String(f)] === 'val').length}`).join(', ')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
