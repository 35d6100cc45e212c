import { kernelFromSource, readWgsl, type Kernel } from '../../runtime/kernel.ts';

/**
 * Activations a kernel can fuse into its epilogue. The WGSL side is activation.wgsl, which
 * launchers prepend to their own source (WGSL has no includes); the code passed to the kernel
 * (a uniform field, so one pipeline serves every activation) is ACTIVATIONS[name].
 */
export const ACTIVATIONS = { none: 0, relu: 1, gelu: 2, gelu_tanh: 3 } as const;
export type Activation = keyof typeof ACTIVATIONS;

const activationWgsl = readWgsl('ops/common/', './activation.wgsl');

/**
 * Loads `files` (relative to `base`, the calling op's folder such as 'ops/matmul/'; concatenated in order: shared
 * snippets first, the kernel last) with activation.wgsl in front, after the directives
 * (`enable ...;` must precede every declaration).
 */
export function kernelWithActivations(name: string, base: string, files: string | string[], entryPoint = 'main'): Kernel {
  const lines = readWgsl(base, files).split('\n');
  const directives = lines.filter((l) => /^\s*(enable|requires|diagnostic)\b/.test(l));
  const rest = lines.filter((l) => !directives.includes(l));
  return kernelFromSource(name, [...directives, activationWgsl, ...rest].join('\n'), entryPoint);
}
