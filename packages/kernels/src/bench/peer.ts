import type { Gpu } from '../runtime/gpu.ts';
import type { Tf } from './types.ts';
import { dawnModule } from '../runtime/environment.ts';

/**
 * Loads tfjs-core with tfjs-backend-webgpu on the same Dawn adapter as `gpu` (a second device
 * on that adapter). tfjs finds WebGPU through `navigator.gpu`, so that is set up before tfjs
 * is imported; the imports are dynamic so that nothing outside the benchmark ever loads tfjs.
 */
export async function loadTfjs(gpu: Gpu): Promise<{ tf: Tf; adapter: string }> {
  const { create, globals } = await dawnModule();
  Object.assign(globalThis, globals);
  // Same toggles as the runtime: precise timestamps for tfjs' kernel timing too.
  const instance = create(['disable-dawn-features=timestamp_quantization']);
  const want = gpu.adapter.description;
  let chosen = '';
  const shim = {
    // tfjs asks for a high-performance adapter; hand it ours when several exist.
    requestAdapter: async (o?: GPURequestAdapterOptions): Promise<GPUAdapter | null> => {
      for (const opt of [{ powerPreference: 'high-performance' as const }, { powerPreference: 'low-power' as const }, { forceFallbackAdapter: true }]) {
        const a = await instance.requestAdapter(opt);
        if (a && a.info.description === want) {
          chosen = a.info.description;
          return a;
        }
      }
      const a = await instance.requestAdapter(o);
      chosen = a?.info.description ?? '';
      return a;
    },
    getPreferredCanvasFormat: (): GPUTextureFormat => 'bgra8unorm',
    wgslLanguageFeatures: instance.wgslLanguageFeatures,
  };
  // Node >= 21 has a navigator of its own (a configurable getter): extend it, don't replace it.
  const nav = Object.create((globalThis as { navigator?: object }).navigator ?? null) as object;
  Object.defineProperty(nav, 'gpu', { value: shim, enumerable: true });
  Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true, writable: true });

  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend did not initialise');
  await tf.ready();
  return { tf, adapter: chosen };
}
