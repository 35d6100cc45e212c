// EXIF reading (exif/read.ts)
export { readExif, normalizeExif } from './exif/read.ts';
export type { ExifValue, ExifRecord, ExifResult, ExifFailureReason } from './exif/read.ts';
export { isSensitiveTag } from './exif/sensitive.ts';
// Image decoding (image/decode.ts)
export { decodeImage } from './image/decode.ts';
export type { DecodedImage, DecodeResult, DecodeFailureReason, DecodeOptions } from './image/decode.ts';
