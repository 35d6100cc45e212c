// The browser entry of @exif-lang/data (package.json "exports" condition `browser`): the pure
// parts that splice localization needs in a web page. The Node entry (index.ts) also carries
// decoding with sharp, file sources, workers and the index, none of which can load in a browser;
// a bundler that targets the browser resolves `@exif-lang/data` to this file instead.
export { rngFromSeed, randInt, type Rng } from './util/rng.ts';
export { CLIP_MEAN, CLIP_STD, writeNormalizedPatch, cropBytes, normalizeBytes, type RgbImage, type Crop } from './image/patch.ts';
