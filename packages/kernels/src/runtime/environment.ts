/**
 * Where the runtime finds WebGPU: `navigator.gpu` in a browser, the Dawn npm package `webgpu`
 * in Node. Dawn is imported dynamically through a variable specifier so that a browser bundle
 * never contains it (its native binding cannot load there), and Node-only globals (`process`)
 * are only touched when they exist.
 */

type DawnModule = typeof import('webgpu');

/** true under Node (Dawn), false in a browser or worker (navigator.gpu). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** An environment variable in Node; undefined in a browser. */
export function envVar(name: string): string | undefined {
  return isNode() ? process.env[name] : undefined;
}

/** Prints one line for the user: stderr in Node, the console in a browser. */
export function notice(line: string): void {
  if (isNode()) process.stderr.write(`${line}\n`);
  else console.info(line);
}

/** Runs `fn` when the process ends (Node only: a page's device goes with the page). */
export function onProcessExit(fn: () => void): void {
  if (!isNode()) return;
  process.once('beforeExit', fn);
  process.once('exit', fn);
}

// A variable, not a literal: bundlers leave `import(DAWN)` alone.
const DAWN = 'webgpu';
let dawn: Promise<GPU> | null = null;

/** The Dawn package (Node only; the kernel benchmark's tfjs peer makes a second instance). */
export async function dawnModule(): Promise<DawnModule> {
  return (await import(/* @vite-ignore */ DAWN)) as DawnModule;
}

async function dawnGpu(): Promise<GPU> {
  const { create, globals } = await dawnModule();
  Object.assign(globalThis, globals);
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  // Precise timestamps (Dawn quantizes them by default); f16 on NVIDIA's Vulkan driver.
  return create(['disable-dawn-features=timestamp_quantization', 'enable-dawn-features=vulkan_enable_f16_on_nvidia']);
}

/** The WebGPU entry point of this environment (created once). */
export function gpuApi(): Promise<GPU> {
  if (!dawn) {
    if (isNode()) dawn = dawnGpu();
    else {
      const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
      if (!gpu) return Promise.reject(new Error('This browser offers no WebGPU (navigator.gpu is missing). Chromium: --enable-unsafe-webgpu.'));
      dawn = Promise.resolve(gpu);
    }
  }
  return dawn;
}
