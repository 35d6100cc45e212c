/**
 * The schema of a training run. Every object is strict, so a misspelt key is an error naming
 * it rather than a silently ignored setting. Cross-field rules (head width, warm-up within the
 * schedule, a patch that fits the images ...) live in one refinement at the end so each issue
 * carries the path of the field to change.
 */
import { z } from 'zod';
import { ATTENTION_MAX_HEAD_DIM } from '@exif-lang/kernels';
import { PREFILTERS } from '@exif-lang/models';

const int = (min: number) => z.number().int().min(min);
const rate = z.number().finite().min(0);
const probability = z.number().min(0).lt(1);

export const RESNET_ARCHS = ['custom', 'resnet18', 'resnet34', 'resnet50'] as const;
const CUSTOM_ONLY = ['block', 'layers', 'stem', 'widths'] as const;

const imageSchema = z
  .strictObject({
    /** a torchvision depth, or 'custom' with block/layers/stem/widths given */
    arch: z.enum(RESNET_ARCHS),
    /** scales the stem and every stage width (rounded, at least 1) */
    widthMultiplier: z.number().positive().max(16).default(1),
    block: z.enum(['basic', 'bottleneck']).optional(),
    layers: z.array(int(1)).min(1).max(8).optional(),
    stem: int(1).optional(),
    widths: z.array(int(1)).min(1).max(8).optional(),
    /** a fixed high-pass filter before the stem (the models package's prefilter.ts), or 'none' (raw pixels, the paper) */
    prefilter: z.enum(['none', ...PREFILTERS]).default('none'),
  })
  .superRefine((v, ctx) => {
    for (const k of CUSTOM_ONLY) {
      if (v.arch === 'custom' && v[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: "required when arch is 'custom'" });
      if (v.arch !== 'custom' && v[k] !== undefined) {
        ctx.addIssue({
          code: 'custom', path: [k],
          message: `only for arch 'custom' (${v.arch} fixes it); replace the whole tower, e.g. --set 'model.image={"arch":"${v.arch}"}'`,
        });
      }
    }
    if (v.layers && v.widths && v.layers.length !== v.widths.length) {
      ctx.addIssue({ code: 'custom', path: ['widths'], message: `${v.widths.length} widths for ${v.layers.length} stages of layers` });
    }
  });

const textSchema = z.strictObject({
  layers: int(1).max(48),
  heads: int(1),
  ffn: int(1),
  /** tokens per text including [CLS] and [SEP]; longer EXIF strings are truncated */
  maxTokens: int(2).max(4096),
  /** learned position embeddings (DistilBERT: 512); default: maxTokens */
  maxPositions: int(2).max(4096).optional(),
  dropout: probability,
  attentionDropout: probability,
});

const modelSchema = z.strictObject({
  image: imageSchema,
  /** the embedding size: the image fc output and the text width (there is no text projection) */
  embed: int(1).max(8192),
  text: textSchema,
  /** fixed (the paper: 100) or learned from `value` (default 1/0.07, CLIP) */
  logitScale: z.strictObject({ learned: z.boolean(), value: z.number().positive().finite().optional() }),
  /**
   * Weight of an image-image InfoNCE between the crops of one photo in a step (multi-crop-loss.ts;
   * needs data.cropsPerStep >= 2). 0: the paper's image-text loss alone.
   */
  imageImageWeight: rate.default(0),
});

export const SYNTH_SOURCE = 'synth';

/**
 * The EXIF-text ablations of the data package (exif/text.ts), as run fields: which tags
 * ('all' of the corpus vocabulary, 'make-model' only, 'no-make-model', or a list of exifr
 * keys), shuffled pair order and tag dropout (seeded per image and epoch, training only:
 * validation texts stay deterministic), raw stored values instead of exiftool-style ones.
 */
export const TEXT_SUBSETS = ['all', 'make-model', 'no-make-model'] as const;
const textOptionsSchema = z
  .strictObject({
    tags: z.union([z.enum(TEXT_SUBSETS), z.array(z.string().min(1)).min(1)]).default('all'),
    shuffle: z.boolean().default(false),
    dropout: probability.default(0),
    values: z.enum(['normalized', 'raw']).default('normalized'),
  })
  .prefault({});

/**
 * A small set of cross-camera splices made from the held-apart validation photos (never trained
 * on), localized with the official procedure and scored by p-mAP during training. count 0: off.
 */
const valSplicesSchema = z
  .strictObject({
    count: int(0).max(1000).default(0),
    /** host crops at most this many px a side (smaller is faster: the grid is perSide^2 patches) */
    maxSize: int(32).default(256),
    /** patches along the longer side (the official 30) */
    perSide: int(2).max(64).default(30),
    seed: int(0).default(1),
  })
  .prefault({});

const dataSchema = z.strictObject({
  /** 'synth' (the synthetic camera zoo, generated into the run's folder), an image folder, a manifest, a WebDataset shard folder or an index .jsonl */
  source: z.string().min(1, "empty: give a folder, manifest, shard folder or index .jsonl, or 'synth'"),
  synth: z.strictObject({ cameras: int(1).max(1000), images: int(2), seed: int(0), minSize: int(8), maxSize: int(8) }),
  patchSize: int(16).max(2048),
  /** patches per step; InfoNCE needs at least 2, and a batch holds distinct images */
  batchSize: int(2),
  cropsPerImage: int(1).max(64),
  /**
   * Crops of each photo in one step (a divisor of cropsPerImage): the image tower sees
   * batchSize x cropsPerStep patches, the text tower batchSize texts once, and the loss is the
   * mean of one InfoNCE per crop (multi-crop-loss.ts). 1: one crop per photo per step.
   */
  cropsPerStep: int(1).max(64).default(1),
  /**
   * Training crop corners on multiples of this: 1 anywhere (the paper), 8 on the JPEG block
   * grid, so the tower sees blocks at one phase and a region pasted off that phase looks
   * unlike it (docs/experiments/photos-recipe.md). Helps only where the grid survives.
   */
  cropAlign: int(1).max(64).default(1),
  /** decode worker threads (0 decodes on the main thread) */
  workers: int(0).max(64),
  /** share of images held out for validation (split by image id, never by patch) */
  valFraction: z.number().min(0).max(0.9),
  /** cap on validation images (the first ids in sorted order) */
  valMaxImages: int(2),
  /** crops per validation image (each ranks all validation texts) */
  valCrops: int(1).max(64).default(4),
  text: textOptionsSchema,
  /**
   * Gradient caching (chunked-step.ts): patches per forward/backward pass when smaller than
   * batchSize (null: the whole batch at once). The loss is the full batch's InfoNCE either way.
   */
  chunkSize: int(1).nullable().default(null),
  valSplices: valSplicesSchema,
  /**
   * Make-probe accuracy of the image tower on the held-apart photos at the end of the run (a
   * linear probe, stratified CV by image; eval's makeProbeAccuracy). Logged as a 'probe'
   * record; skipped, with a note, when fewer than 2 makes have >= 4 held-apart photos.
   */
  valProbe: z.boolean().default(false),
});

const optimizerSchema = z.strictObject({
  kind: z.enum(['adam', 'adamw']),
  lr: z.number().finite().positive(),
  betas: z.tuple([probability, probability]),
  eps: rate,
  weightDecay: rate,
  /** no weight decay on norms, biases and the logit scale (rank <= 1 tensors) */
  noDecayOnNorms: z.boolean(),
  /** clip the total gradient norm to this (null: no clipping) */
  gradClip: z.number().finite().positive().nullable(),
});

const scheduleSchema = z.strictObject({
  kind: z.enum(['cosine', 'constant']),
  warmupSteps: int(0),
  /** the cosine's floor */
  minLr: rate,
  /** steps the cosine spans (null: run.steps) */
  totalSteps: int(1).nullable(),
});

const runSchema = z.strictObject({
  steps: int(1),
  seed: int(0).max(0xffffffff),
  /** read the GPU-accumulated loss and log every N steps (the only per-step-ish readback) */
  logEvery: int(1),
  checkpointEvery: int(1),
  /** checkpoints kept (0 keeps all) */
  keepLast: int(0),
  /** validation retrieval every N steps (0: only at the end) */
  validateEvery: int(0),
  /** validation splice p-mAP every N steps (0: only at the end); needs data.valSplices.count > 0 */
  spliceEvery: int(0).default(0),
  out: z.string().min(1),
});

export const trainConfigSchema = z
  .strictObject({
    model: modelSchema,
    data: dataSchema,
    optimizer: optimizerSchema,
    schedule: scheduleSchema,
    run: runSchema,
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const { text } = c.model;
    if (c.model.embed % text.heads !== 0) issue(['model', 'text', 'heads'], `${text.heads} heads do not divide the width model.embed = ${c.model.embed}`);
    else if (c.model.embed / text.heads > ATTENTION_MAX_HEAD_DIM) {
      issue(['model', 'text', 'heads'], `head width ${c.model.embed / text.heads} exceeds the kernels' ${ATTENTION_MAX_HEAD_DIM}: use more heads`);
    }
    if (text.maxPositions !== undefined && text.maxTokens > text.maxPositions) {
      issue(['model', 'text', 'maxTokens'], `${text.maxTokens} tokens exceed model.text.maxPositions = ${text.maxPositions}`);
    }
    const s = c.schedule;
    const total = s.totalSteps ?? c.run.steps;
    if (s.warmupSteps > total) issue(['schedule', 'warmupSteps'], `${s.warmupSteps} warm-up steps exceed the schedule's ${total} steps`);
    if (c.optimizer.lr > 0 && s.minLr > c.optimizer.lr) issue(['schedule', 'minLr'], `the floor ${s.minLr} is above optimizer.lr = ${c.optimizer.lr}`);
    const d = c.data;
    if (d.source === SYNTH_SOURCE) {
      if (d.synth.minSize > d.synth.maxSize) issue(['data', 'synth', 'minSize'], `${d.synth.minSize} is above data.synth.maxSize = ${d.synth.maxSize}`);
      if (d.synth.minSize < d.patchSize) issue(['data', 'synth', 'minSize'], `images of ${d.synth.minSize} px are smaller than data.patchSize = ${d.patchSize}`);
      // The split is a hash of each id, so this is the expected count, checked exactly once the data is indexed.
      const train = Math.floor(d.synth.images * (1 - d.valFraction));
      if (train < d.batchSize) issue(['data', 'batchSize'], `${d.batchSize} exceeds the ~${train} training images of the synthetic zoo (a batch holds distinct images)`);
    }
    if (c.run.validateEvery > 0 && d.valFraction === 0) issue(['run', 'validateEvery'], 'validation needs data.valFraction > 0');
    if (d.valSplices.count > 0 && d.valFraction === 0) issue(['data', 'valSplices', 'count'], 'validation splices are made from held-apart photos: needs data.valFraction > 0');
    if (d.valSplices.count > 0 && d.valSplices.maxSize < d.patchSize) issue(['data', 'valSplices', 'maxSize'], `${d.valSplices.maxSize} px crops are smaller than data.patchSize = ${d.patchSize}`);
    if (d.cropsPerImage % d.cropsPerStep !== 0) issue(['data', 'cropsPerStep'], `${d.cropsPerStep} does not divide data.cropsPerImage = ${d.cropsPerImage} (the crops of a decoded image go into steps in groups)`);
    if (d.cropsPerStep > 1 && d.chunkSize !== null) issue(['data', 'cropsPerStep'], 'multi-crop steps are not gradient-cached: set data.chunkSize to null or data.cropsPerStep to 1');
    if (c.model.imageImageWeight > 0 && d.cropsPerStep < 2) issue(['model', 'imageImageWeight'], 'the image-image term contrasts crops of the same photo: needs data.cropsPerStep >= 2');
    if (d.chunkSize !== null && d.chunkSize >= d.batchSize) issue(['data', 'chunkSize'], `${d.chunkSize} is not below data.batchSize = ${d.batchSize} (null: no chunking)`);
    if (d.chunkSize !== null && d.chunkSize < d.batchSize) {
      // chunked-step.ts balances the chunks; the smallest must give batch norm 2 patches
      const smallest = Math.floor(d.batchSize / Math.ceil(d.batchSize / d.chunkSize));
      if (smallest < 2) issue(['data', 'chunkSize'], `${d.chunkSize} splits ${d.batchSize} patches into chunks as small as ${smallest}: batch norm needs at least 2 per chunk`);
    }
  });

/** A resolved, validated run configuration (what checkpoints store). */
export type TrainConfig = z.output<typeof trainConfigSchema>;
/** What a preset, a config file or overrides may give (defaults fill the rest). */
export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type ImageTowerConfig = TrainConfig['model']['image'];
