// Exits 0 and prints the adapter when Dawn (npm `webgpu`) finds one, 1 otherwise.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../packages/kernels/package.json', import.meta.url));
const { create, globals } = await import(require.resolve('webgpu'));
Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ forceFallbackAdapter: true }));
if (!adapter) {
  console.error('no WebGPU adapter');
  process.exit(1);
}
console.log(`adapter: ${adapter.info.description || adapter.info.device || adapter.info.vendor}`);
process.exit(0);
