import { WGSL_SOURCES } from './wgsl-sources.gen.ts';

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

/**
 * The path of `file` under packages/kernels/src: relative to the folder `base` ("ops/matmul/",
 * the calling op's own folder), or from src when it starts with "/".
 */
export function wgslPath(base: string, file: string): string {
  return new URL(file, `file:///${base}`).pathname.slice(1);
}

/**
 * The text of `files` joined in order. Sources come from the generated WGSL_SOURCES module (run
 * scripts/gen-wgsl.ts after editing a .wgsl file), never from the file system: the kernel
 * library runs unchanged in a browser bundle.
 */
export function readWgsl(base: string, files: string | readonly string[]): string {
  return (typeof files === 'string' ? [files] : files)
    .map((f) => {
      const path = wgslPath(base, f);
      const code = WGSL_SOURCES[path];
      if (code === undefined) throw new Error(`no WGSL source '${path}' (run: npx tsx scripts/gen-wgsl.ts)`);
      return code;
    })
    .join('\n');
}

/**
 * Loads `file` (relative to `base`, the op's folder under src such as "ops/permute/") as a
 * kernel. WGSL has no includes: a list of files is concatenated in order, shared snippets
 * first, the kernel last.
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
