// Checkpoint IO: named raw tensors in and out of safetensors and PyTorch .pth files, and the
// mapping of foreign layouts (the official exif-as-language checkpoint) onto canonical names.
export {
  DTYPE_BYTES, asF32, halfToFloat, numel, tensorBytes, tensorFromBytes, toFloat32,
  type DType, type FloatDType, type IntDType, type RawTensor, type TensorMap,
} from './tensor.ts';
export {
  MAX_HEADER_BYTES, encodeSafetensors, readSafetensors, readSafetensorsHeader, serializeSafetensors, writeSafetensors,
  type Metadata, type ReadSafetensorsOptions, type SafetensorsEntry, type SafetensorsFile, type SafetensorsHeader,
} from './safetensors.ts';
export { FileSource, MemorySource, openSource, writeFileAtomic, type ByteSource } from './bytes.ts';
export { PickleError, PyCallable, PyGlobal, unpickle, type PyKey, type PyValue, type UnpickleOptions } from './pickle.ts';
export {
  StorageRef, TensorRef, findStateDict, openPth, pyGet, readPth,
  type PthCheckpoint, type PthStateDict, type PyPath, type ReadPthOptions,
} from './pth.ts';
export {
  canonicalShapes, imageShapes, inferImageConfig, inferTextConfig, isOptionalKey, textShapes,
  type ImageConfig, type ModelConfig, type ShapeSpec, type TextConfig,
} from './canonical.ts';
export { detectLayout, mapToCanonical, type MapOptions, type MappedStateDict, type SourceLayout } from './official.ts';
export { CHECKPOINT_FORMAT, convertCheckpoint, describeConversion, type ConvertOptions, type ConvertResult } from './convert.ts';
export { compareTensors, relativeError, type ParityReport, type TensorDiff } from './compare.ts';
