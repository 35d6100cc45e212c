import { readFileSync } from 'node:fs';

/**
 * A compute kernel: WGSL source with one entry point. Bindings follow one convention so the
 * launchers stay short: `@group(0) @binding(0)` is the uniform `Params` struct (when the kernel
 * has one) and storage buffers follow at bindings 1, 2, ... in the order the launcher passes
 * them. Shape specialisation uses WGSL `override` constants: each distinct set of overrides is
 * its own pipeline, compiled once and cached.
 */
export interface Kernel {
  readonly name: string;
  readonly code: string;
  readonly entryPoint: string;
}

/** The text of `files` (relative to the module at `base`, or absolute URLs) joined in order. */
export function readWgsl(base: string, files: string | readonly string[]): string {
  return (typeof files === 'string' ? [files] : files).map((f) => readFileSync(new URL(f, base), 'utf8')).join('\n');
}

/**
 * Loads `file` (relative to the module at `base`, i.e. `import.meta.url`) as a kernel. WGSL has
 * no includes: a list of files is concatenated in order, shared snippets first, the kernel last.
 */
export function kernelFromFile(name: string, base: string, file: string | readonly string[], entryPoint = 'main'): Kernel {
  return { name, code: readWgsl(base, file), entryPoint };
}

/** A kernel whose source is assembled in TypeScript (used for generated variants). */
export function kernelFromSource(name: string, code: string, entryPoint = 'main'): Kernel {
  return { name, code, entryPoint };
}

export type Overrides = Record<string, number | boolean>;

export function overridesKey(o: Overrides | undefined): string {
  if (!o) return '';
  return Object.keys(o)
    .sort()
    .map((k) => `${k}=${Number(o[k])}`)
    .join(',');
}
