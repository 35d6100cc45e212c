/**
 * Overrides on a preset: `--set key.path=value` assignments and config files (JSON).
 *
 * A `--set` value is read as JSON when it parses (numbers, booleans, null, arrays, objects) and
 * as a plain string otherwise, so `--set data.source=/photos` needs no quotes. It replaces the
 * value at its path, objects included (`--set 'model.image={"arch":"resnet18"}'` swaps the whole
 * tower). A config file is merged deeply instead: objects merge key by key, arrays and scalars
 * replace. Either way `null` deletes the key (back to the schema's default, if it has one).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Assignment {
  path: string[];
  value: Json;
}

export class OverrideError extends Error {}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses `a.b.c=value`. */
export function parseAssignment(text: string): Assignment {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new OverrideError(`--set ${JSON.stringify(text)}: expected key.path=value`);
  const key = text.slice(0, eq).trim();
  const path = key.split('.');
  if (path.some((p) => p === '' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) throw new OverrideError(`--set ${JSON.stringify(text)}: '${key}' is not a dotted field path`);
  if (path.some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype')) throw new OverrideError(`--set: '${key}' is not a field`);
  const raw = text.slice(eq + 1);
  let value: Json;
  try {
    value = JSON.parse(raw) as Json;
  } catch {
    value = raw;
  }
  return { path, value };
}

/** Applies one assignment to `target` in place (creating intermediate objects). */
export function applyAssignment(target: JsonObject, { path, value }: Assignment): void {
  let node: JsonObject = target;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]];
    if (next === undefined || next === null) node[path[i]] = {};
    else if (!isObject(next)) throw new OverrideError(`--set ${path.join('.')}: '${path.slice(0, i + 1).join('.')}' is ${JSON.stringify(next)}, not an object`);
    node = node[path[i]] as JsonObject;
  }
  const last = path[path.length - 1];
  if (value === null) delete node[last];
  else node[last] = structuredClone(value);
}

/** `patch` merged into `base` in place (see the file comment for the rules). */
export function mergeInto(base: JsonObject, patch: JsonObject): JsonObject {
  for (const [k, v] of Object.entries(patch)) {
    if (k === '__proto__' || k === 'constructor') continue;
    if (v === null) delete base[k];
    else if (isObject(v) && isObject(base[k])) mergeInto(base[k] as JsonObject, v);
    else base[k] = structuredClone(v);
  }
  return base;
}
