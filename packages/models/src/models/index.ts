// Models: the ResNet image tower, the DistilBERT-shaped text tower, the EXIF-CLIP model and its loader.
export { ResNet, BasicBlock, Bottleneck, resnetConfig, type ResNetConfig, type ResidualBlock } from './resnet.ts';
export { Prefilter, PREFILTERS, PREFILTER_GAIN, prefilterKernelSize, prefilterOfKernel, prefilterWeightOIHW, type PrefilterKind } from './prefilter.ts';
export { TextEncoder, TextEmbeddings, TransformerStack, type TextEncoderConfig } from './text.ts';
export {
  ExifClip, exifClipConfigFrom, resnetConfigOf, textConfigOf, toModelConfig, PAPER_LOGIT_SCALE, CLIP_INIT_LOGIT_SCALE,
  type ExifClipConfig,
} from './exif-clip.ts';
export { loadModel, readCheckpointTensors, type CheckpointInput, type LoadModelOptions, type LoadedModel } from './load.ts';
