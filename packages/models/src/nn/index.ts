// Layers: Module subclasses with PyTorch / Hugging Face parameter names.
export { Module, hostTensor, type Layout } from './module.ts';
export { deriveSeed, sample, torchDefault, kaimingNormalFanOut, HF_NORMAL, ZEROS, ONES, type InitSpec } from './init.ts';
export { Linear, type LinearOptions } from './linear.ts';
export { LayerNorm } from './layernorm.ts';
export { BatchNorm2d, type BatchNorm2dOptions } from './batchnorm.ts';
export { Embedding, type EmbeddingOptions } from './embedding.ts';
export { Dropout } from './dropout.ts';
export { MultiHeadAttention, unfusedAttention, type MultiHeadAttentionOptions } from './attention.ts';
export { FeedForward, TransformerEncoderLayer, type TransformerLayerOptions } from './transformer.ts';
export { Sequential, ModuleList, type Layer } from './sequential.ts';
export { Conv2d, HWIO_LAYOUT, type Conv2dOptions } from './conv2d.ts';
