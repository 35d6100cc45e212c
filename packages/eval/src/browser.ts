// The browser entry of @exif-lang/eval (package.json "exports" condition `browser`): the
// official splice localization on the GPU, the checkpoint as a feature extractor (from bytes),
// and the pictures as pixels. The Node entry (index.ts) also carries the dataset loaders, the
// benchmark harness and PNG/HTML writing (sharp, the file system); a bundler that targets the
// browser resolves `@exif-lang/eval` to this file, and @exif-lang/models and @exif-lang/data to
// their browser entries, so the page runs the same modules as `exiflang localize`.
export * from './localize/grid.ts';
export type * from './localize/types.ts';
export { localize, localizeFeatures, LOCALIZE_METHODS, type LocalizeMethod, type LocalizeOptions } from './localize/localize.ts';
export { modelExtractor, embedBatchSize } from './localize/model-features.ts';
export { openExtractor, recordedPatchSize, PAPER_PATCH_SIZE, type OpenedExtractor, type OpenExtractorOptions } from './localize/checkpoint.ts';
export { colormap, colormapTable, type ColormapName } from './render/colormap.ts';
export { robustRange } from './render/range.ts';
export { heatmapOverlay, maskPixels, type OverlayOptions } from './render/overlay.ts';
