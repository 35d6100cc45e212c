/**
 * Named starting points of a run: `tiny` (a few minutes on lavapipe), `small` (DESIGN.md's
 * PyTorch reference recipe) and `paper` (the official recipe). A run is a preset plus
 * overrides; `run.out` is filled in by the resolver (runs/<preset>).
 */
import type { TrainConfigInput } from './config.ts';

type Preset = Omit<TrainConfigInput, 'run'> & { run: Omit<TrainConfigInput['run'], 'out'> };

/**
 * Sized by measurement on lavapipe (2 shared cores): the text tower dominates the step (2 layers
 * at 64 tokens ~0.45 s for 32 texts, the image tower ~0.2 s at 48 px), so texts are cut to 64
 * tokens (Make, Model, lens, software and exposure come first) and the zoo's images are small.
 * The learned logit scale beat the fixed 100 in DESIGN.md's short reference runs.
 */
const tiny: Preset = {
  model: {
    image: { arch: 'custom', block: 'basic', layers: [1, 1, 1, 1], stem: 16, widths: [16, 32, 64, 128] },
    embed: 64,
    text: { layers: 2, heads: 2, ffn: 256, maxTokens: 64, dropout: 0, attentionDropout: 0 },
    logitScale: { learned: true },
  },
  data: {
    source: 'synth',
    // Large enough for the demo's splices (host crops of up to 384 px; smaller images give
    // finer voting grids and so larger consistency volumes); training crops stay 48 px.
    synth: { cameras: 8, images: 240, seed: 0, minSize: 320, maxSize: 400 },
    patchSize: 48,
    batchSize: 32,
    cropsPerImage: 4,
    workers: 1,
    valFraction: 0.15,
    valMaxImages: 64,
  },
  optimizer: { kind: 'adam', lr: 1e-3, betas: [0.9, 0.98], eps: 1e-6, weightDecay: 1e-4, noDecayOnNorms: true, gradClip: null },
  schedule: { kind: 'cosine', warmupSteps: 20, minLr: 1e-5, totalSteps: null },
  run: { steps: 200, seed: 0, logEvery: 10, checkpointEvery: 100, keepLast: 2, validateEvery: 50 },
};

/**
 * DESIGN.md's reference: ResNet-style 32-64-128-256 (stride-2 stem) on 64 px crops, 128-d;
 * 2-layer width-128 text over ~175-token EXIF strings; Adam 5e-4; 64 images per step with 4
 * crops each, learned scale. The reference trained on ~110 sample photos
 * (`--data ../shared/photos`); the default is a synthetic zoo of the same order.
 */
const small: Preset = {
  model: {
    image: { arch: 'custom', block: 'basic', layers: [2, 2, 2, 2], stem: 32, widths: [32, 64, 128, 256] },
    embed: 128,
    text: { layers: 2, heads: 2, ffn: 512, maxTokens: 192, maxPositions: 512, dropout: 0, attentionDropout: 0 },
    logitScale: { learned: true },
  },
  data: {
    source: 'synth',
    synth: { cameras: 24, images: 600, seed: 0, minSize: 160, maxSize: 512 },
    patchSize: 64,
    batchSize: 64,
    cropsPerImage: 4,
    workers: 2,
    valFraction: 0.1,
    valMaxImages: 256,
  },
  optimizer: { kind: 'adam', lr: 5e-4, betas: [0.9, 0.98], eps: 1e-6, weightDecay: 1e-4, noDecayOnNorms: true, gradClip: null },
  schedule: { kind: 'cosine', warmupSteps: 100, minLr: 5e-6, totalSteps: null },
  run: { steps: 2500, seed: 0, logEvery: 20, checkpointEvery: 250, keepLast: 3, validateEvery: 250 },
};

/**
 * The official recipe: ResNet-50 (fc 2048 -> 768) + DistilBERT-base (dropout 0.1), 124 px,
 * one crop per image per step, batch 1024, Adam lr 1e-4 betas (0.9, 0.98) eps 1e-6 weight
 * decay 1e-4 on every parameter, linear warm-up then cosine to 1e-7, fixed logit scale 100,
 * ~73k steps. The warm-up length and the token cap are not stated by the paper: 2000 steps and
 * 256 tokens (the EXIF strings run ~175) are our choices. Meant for real data (`--data`).
 */
const paper: Preset = {
  model: {
    image: { arch: 'resnet50' },
    embed: 768,
    text: { layers: 6, heads: 12, ffn: 3072, maxTokens: 256, maxPositions: 512, dropout: 0.1, attentionDropout: 0.1 },
    logitScale: { learned: false, value: 100 },
  },
  data: {
    source: 'synth',
    synth: { cameras: 64, images: 20000, seed: 0, minSize: 256, maxSize: 1024 },
    patchSize: 124,
    batchSize: 1024,
    cropsPerImage: 1,
    workers: 4,
    valFraction: 0.02,
    valMaxImages: 1000,
  },
  optimizer: { kind: 'adam', lr: 1e-4, betas: [0.9, 0.98], eps: 1e-6, weightDecay: 1e-4, noDecayOnNorms: false, gradClip: null },
  schedule: { kind: 'cosine', warmupSteps: 2000, minLr: 1e-7, totalSteps: null },
  run: { steps: 73000, seed: 0, logEvery: 50, checkpointEvery: 1000, keepLast: 3, validateEvery: 1000 },
};

/**
 * Real photos in at most an hour here (`--data DIR`, e.g. ../shared/photos): the `small`
 * towers at 64 px behind a fixed 3x3 high-pass prefilter (the image tower sees the noise
 * residual, not the scene: on ~100 photos a tower fed raw pixels learns to tell photos apart by
 * their content), texts cut to 96 tokens (Make, Model, lens, software and exposure come first;
 * the text pass was ~40% of a step at 175 tokens), learned logit scale (it beat the fixed 100 in
 * DESIGN.md's short runs). 64 distinct photos per step with 4 crops of each in the same step
 * (8 crops per decode in two groups): one text pass, one InfoNCE per crop, plus the image-image
 * term between a photo's crops. Crop corners on multiples of 8 (`data.cropAlign`): every
 * training crop shows the JPEG blocks of an uncropped photo at phase 0, so a region pasted off
 * that grid embeds unlike its host; the price is that it reads a cue which uncompressed or
 * off-grid re-cropped images do not carry. Each of these was chosen on dev splices that the
 * reported evaluation never uses (docs/experiments/photos-recipe.md). 15% of the photos are
 * held apart (by a hash of the path, so `data splices --split val` builds splices from exactly
 * those) and never trained on. At the end, a make probe on those held-apart photos is logged
 * (data.valProbe).
 */
const photos: Preset = {
  ...small,
  model: { ...small.model, image: { ...small.model.image, prefilter: 'highpass3' }, text: { ...small.model.text, maxTokens: 96 }, imageImageWeight: 1 },
  data: { ...small.data, cropsPerImage: 8, cropsPerStep: 4, cropAlign: 8, workers: 1, valFraction: 0.15, valMaxImages: 64, valProbe: true },
  schedule: { ...small.schedule, warmupSteps: 50 },
  run: { steps: 700, seed: 0, logEvery: 10, checkpointEvery: 50, keepLast: 3, validateEvery: 100 },
};

export const PRESETS = { tiny, small, paper, photos } as const;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

/** A deep copy of a preset, ready to be overridden. */
export function presetInput(name: PresetName, out: string): TrainConfigInput {
  return { ...structuredClone(PRESETS[name]), run: { ...structuredClone(PRESETS[name].run), out } } as TrainConfigInput;
}
