/**
 * A manifest: CSV (with a header row) or JSONL, one image per row. The path column is `path`
 * by default (`file`, `filename`, `image` are accepted too, as in ../shared/photos/manifest.csv);
 * relative paths are relative to the manifest's folder. An `exif` column/field (an object, or a
 * JSON string of one) supplies EXIF for images whose bytes carry none; every other column is
 * passed through as `fields`.
 */
import { createReadStream } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import type { Sample } from './sample.ts';

export interface ManifestOptions {
  /** Column holding the image path (default: the first of path, file, filename, image). */
  pathColumn?: string;
}

const PATH_COLUMNS = ['path', 'file', 'filename', 'image'];

async function* rows(file: string): AsyncGenerator<Record<string, unknown>> {
  if (/\.jsonl?$/i.test(file)) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      const v: unknown = JSON.parse(line);
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${file}:${n}: not a JSON object`);
      yield v as Record<string, unknown>;
    }
    return;
  }
  const parser = createReadStream(file).pipe(parse({ columns: true, skip_empty_lines: true, trim: true, bom: true }));
  for await (const r of parser) yield r as Record<string, unknown>;
}

function exifField(v: unknown): Record<string, unknown> | undefined {
  if (typeof v === 'string' && v.trim().startsWith('{')) {
    try {
      return exifField(JSON.parse(v));
    } catch {
      return undefined;
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export async function* manifestSource(file: string, options: ManifestOptions = {}): AsyncGenerator<Sample> {
  const base = dirname(file);
  let column = options.pathColumn;
  for await (const row of rows(file)) {
    column ??= PATH_COLUMNS.find((c) => c in row);
    const rel = column === undefined ? undefined : row[column];
    if (typeof rel !== 'string' || rel === '') {
      throw new Error(`${file}: row without a path (columns: ${Object.keys(row).join(', ')}; use pathColumn)`);
    }
    const path = isAbsolute(rel) ? rel : resolve(base, rel);
    const fields = Object.fromEntries(Object.entries(row).filter(([k]) => k !== column && k !== 'exif'));
    yield { id: rel, source: 'manifest', path, exifJson: exifField(row.exif), fields };
  }
}
