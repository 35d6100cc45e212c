// The browser entry of @exif-lang/models (package.json "exports" condition `browser`): tensors,
// no-grad inference, the models and their loading from checkpoint bytes. The Node entry
// (index.ts) also carries checkpoint directories, conversion, writing and the PyTorch benchmark
// peer, which need the file system or child processes; a bundler that targets the browser
// resolves `@exif-lang/models` to this file instead.
export { Tensor, Storage, numel, sameShape, type DType } from './tensor/tensor.ts';
export { scope, scopeAsync, keep, scopeDepth } from './tensor/scope.ts';
export { tensor, zeros, ones, full, randn, randu } from './tensor/create.ts';
export { isGradEnabled, noGrad, noGradAsync } from './autograd/grad-mode.ts';
export {
  MAX_HEADER_BYTES, readSafetensors, readSafetensorsHeader,
  type Metadata, type ReadSafetensorsOptions, type SafetensorsEntry, type SafetensorsFile, type SafetensorsHeader,
} from './checkpoint/safetensors.ts';
export { MemorySource, openSource, type ByteSource } from './checkpoint/bytes.ts';
export * from './models/index.ts';
