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
