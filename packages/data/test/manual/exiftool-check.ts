/**
 * Manual cross-check (not a test: needs exiftool, `apt-get install libimage-exiftool-perl`):
 * for every image in a folder, compares each value our text would print with what
 * `exiftool -S -EXIF:all` prints for the same tag. Usage:
 *   npx tsx test/manual/exiftool-check.ts ../../../shared/photos [--show N]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readExif } from '../../src/exif/read.ts';
import { TAGS } from '../../src/exif/tags.ts';
import { exifToText } from '../../src/exif/text.ts';

const dir = process.argv[2];
const show = Number(process.argv[process.argv.indexOf('--show') + 1] || 0);
const files = readdirSync(dir).filter((f) => /\.(jpe?g|png|tiff?|heic)$/i.test(f)).sort();
let same = 0;
let compared = 0;
const diffs = new Map<string, string[]>();
for (const [i, f] of files.entries()) {
  const r = await readExif(join(dir, f));
  if (!r.ok) continue;
  // -a -G1: every copy with its IFD, so maker-note or thumbnail (IFD1) duplicates cannot hide
  // the IFD0/ExifIFD value we read.
  const out = execFileSync('exiftool', ['-a', '-G1', '-S', '-EXIF:all', join(dir, f)], { encoding: 'utf8' });
  const tool = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^\[(\w+)\]\s+(\w+): (.*)$/.exec(line);
    if (m && (m[1] === 'IFD0' || m[1] === 'ExifIFD') && !tool.has(m[2])) tool.set(m[2], m[3].trim());
  }
  for (const spec of TAGS) {
    const v = r.record.tags[spec.key];
    if (v === undefined) continue;
    const ours = spec.print(v);
    const theirs = tool.get(spec.key);
    compared++;
    if (ours === theirs) same++;
    else {
      const list = diffs.get(spec.key) ?? [];
      list.push(`${f}: ours=${JSON.stringify(ours)} exiftool=${JSON.stringify(theirs)} raw=${JSON.stringify(v)}`);
      diffs.set(spec.key, list);
    }
  }
  if (i < show) {
    process.stdout.write(`\n== ${f}\nours:     ${exifToText(r.record)}\nexiftool: ${TAGS.filter((t) => tool.has(t.key) && r.record.tags[t.key] !== undefined).map((t) => `${t.key}=${tool.get(t.key)}`).join(' | ')}\n`);
  }
}
process.stdout.write(`\n${same}/${compared} values identical over ${files.length} files\n`);
for (const [k, list] of diffs) process.stdout.write(`${k} (${list.length}):\n  ${list.slice(0, 4).join('\n  ')}\n`);
