// EXIF reading (exif/read.ts)
export { readExif, normalizeExif } from './exif/read.ts';
export type { ExifValue, ExifRecord, ExifResult, ExifFailureReason } from './exif/read.ts';
export { isSensitiveTag } from './exif/sensitive.ts';
// Image decoding (image/decode.ts)
export { decodeImage } from './image/decode.ts';
export type { DecodedImage, DecodeResult, DecodeFailureReason, DecodeOptions } from './image/decode.ts';
// EXIF as text (exif/tags.ts, exif/print.ts, exif/text.ts, exif/vocab.ts)
export { TAGS, tagSpec, inTextOrder, rawValue } from './exif/tags.ts';
export type { TagSpec } from './exif/tags.ts';
export { exifToText, exifPairs, pairsToText } from './exif/text.ts';
export type { TextOptions, TagSubset, ValueMode, ExifPair } from './exif/text.ts';
export { DEFAULT_TAG_THRESHOLD, emptyTagStats, addToTagStats, countTags, chooseTags, parseVocabulary } from './exif/vocab.ts';
export type { TagStats, TagVocabulary, ChooseOptions } from './exif/vocab.ts';
// Seeded randomness (util/rng.ts)
export { hash32, rngFromSeed, derivedRng, randInt, shuffleInPlace } from './util/rng.ts';
export type { Rng } from './util/rng.ts';
// Tokenizer (text/bert-vocab.ts, text/tokenizer.ts)
export { bertVocab, bertVocabTxt, bertTokenizerJson, convertSentencePieceToken } from './text/bert-vocab.ts';
export { ExifTokenizer, DEFAULT_MAX_LENGTH } from './text/tokenizer.ts';
export type { TokenizerOptions, Padding, EncodedText, TokenBatch } from './text/tokenizer.ts';
// Patches (image/patch.ts)
export { CLIP_MEAN, CLIP_STD, randomCrop, writeNormalizedPatch, cropBytes, normalizeBytes } from './image/patch.ts';
export type { RgbImage, Crop } from './image/patch.ts';
// Sources (sources/*.ts) and EXIF from JSON (exif/img2dataset.ts)
export { IMAGE_EXTENSIONS, isImageName } from './sources/sample.ts';
export type { Sample, SourceKind } from './sources/sample.ts';
export { folderSource, listFolder } from './sources/folder.ts';
export type { FolderListing } from './sources/folder.ts';
export { manifestSource } from './sources/manifest.ts';
export type { ManifestOptions } from './sources/manifest.ts';
export { webDatasetSource, readShard, splitMemberName } from './sources/webdataset.ts';
export { openSource } from './sources/open.ts';
export type { OpenedSource } from './sources/open.ts';
export { exifFromJson, isExifreadJson } from './exif/img2dataset.ts';
// Index (index/*.ts)
export { probeSample, DEFAULT_PATCH_SIZE } from './index/probe.ts';
export type { IndexEntry, SkippedEntry, SkipReason, ProbeResult, ProbeOptions } from './index/probe.ts';
export { buildIndex, readIndex, readVocabulary, indexPaths } from './index/build.ts';
export type { IndexOptions, IndexSummary } from './index/build.ts';
export { corpusStats, lengthStats, percentile } from './index/stats.ts';
export type { CorpusStats, LengthStats, StatsOptions } from './index/stats.ts';
export { withTimeout, orderedMap, TimeoutError } from './util/timeout.ts';
// Patch stream (stream/*.ts)
export { PatchStream } from './stream/patch-stream.ts';
export type { PatchStreamOptions, PatchBatch, StreamSkip, StreamStats } from './stream/patch-stream.ts';
export { splitOf, filterSplit, DEFAULT_VAL_FRACTION } from './stream/split.ts';
export type { Split } from './stream/split.ts';
export { epochUnits } from './stream/order.ts';
export type { StreamEntry } from './stream/order.ts';
export { DecodePool } from './stream/pool.ts';
export type { DecodePoolOptions } from './stream/pool.ts';
export type { DecodeJob, DecodeJobResult } from './stream/job.ts';
export { loadStreamEntries } from './stream/entries.ts';
export type { LoadedEntries } from './stream/entries.ts';
export { runPatchBench } from './stream/bench.ts';
export type { BenchOptions, BenchResult } from './stream/bench.ts';
// Synthetic camera zoo (synth/*.ts)
export { generateSynthZoo, synthImage, SYNTH_DEFAULTS } from './synth/zoo.ts';
export type { SynthOptions, SynthResult, SynthRecord, SynthImage } from './synth/zoo.ts';
export { makeCameraZoo } from './synth/camera-zoo.ts';
export type { ZooSizes } from './synth/camera-zoo.ts';
export type { CameraProfile, CameraKind } from './synth/camera.ts';
export type { ShotSettings } from './synth/shot.ts';
// Splice generator (splice/*.ts)
export { generateSplices } from './splice/generate.ts';
export type { SpliceOptions, SpliceManifest, SpliceItem, SplicePhotoRef, ShapeChoice, NegativeChoice } from './splice/generate.ts';
export { scanCameraPhotos } from './splice/sources.ts';
export type { CameraPhoto, PhotoScan, SkippedFile } from './splice/sources.ts';
export { rasterizePolygon } from './splice/region.ts';
export type { RegionKind, Box as SpliceBox } from './splice/region.ts';
