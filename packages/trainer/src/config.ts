import { Ajv } from 'ajv';
import { SerError, type JsonSchema } from '@ser/core';

/** Adam (Kingma & Ba) with decoupled weight decay (AdamW, Loshchilov & Hutter): p <- p * (1 - lr * weightDecay) - lr * mHat / (sqrt(vHat) + epsilon). */
export interface AdamConfig {
  id: 'adam';
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

/** SGD with momentum (PyTorch's form: buf <- momentum * buf + g) and decoupled weight decay: p <- p * (1 - lr * weightDecay) - lr * step. */
export interface SgdConfig {
  id: 'sgd';
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

export type OptimizerConfig = AdamConfig | SgdConfig;

/** Learning-rate schedules; the rate is set once per epoch (before it starts). */
export type ScheduleConfig =
  | { id: 'constant' }
  | { id: 'step'; everyEpochs: number; gamma: number }
  | { id: 'cosine'; minLearningRate: number }
  | { id: 'warmup-cosine'; warmupFraction: number; minLearningRate: number }
  | { id: 'plateau'; factor: number; patience: number; minLearningRate: number };

/** Early stopping and best-checkpoint selection; always on the validation split, never the test split. */
export interface EarlyStoppingConfig {
  metric: 'ua' | 'wa' | 'macroF1' | 'loss';
  patience: number | null;
  /** true: the weights of the best validation epoch are scored; false: the last epoch's (validation only monitors). */
  restoreBest: boolean;
}

/**
 * Training-time augmentation of the feature matrices (never of validation or test): a random crop
 * of long utterances and SpecAugment-style masks (Park et al., Interspeech 2019), drawn from the
 * trainer's seeded RNG so a resumed run draws the same.
 */
export interface AugmentationConfig {
  /** Training utterances longer than this are cut to a random window of this many frames, a new one each epoch; null = off. */
  cropFrames: number | null;
  /** Time masks per training utterance; each sets up to timeMaskFrames consecutive frames to 0 (the normalised mean). */
  timeMasks: number;
  timeMaskFrames: number;
  /** Frequency masks per training utterance; each sets up to freqMaskBins consecutive bins to 0. */
  freqMasks: number;
  freqMaskBins: number;
}

/**
 * When a run counts as diverged besides a NaN/Inf loss: the training loss stayed above factor x its
 * first step's value for `steps` optimiser steps in a row (a finite blow-up, e.g. a learning rate
 * far too high, trains to chance while its loss is 1e8).
 */
export interface DivergenceConfig {
  /** null = only a non-finite loss is divergence. */
  factor: number | null;
  steps: number;
}

/** How an epoch's training examples are drawn: each once (shuffle), or every class as often as the largest (class-balanced). */
export type SamplingMode = 'shuffle' | 'class-balanced';

/** The `trainer` key of an experiment (docs/architecture.md), plus `bucketWindowBatches`. */
export interface TrainerConfig {
  epochs: number;
  /** The epoch budget is raised to at least ceil(minSteps / batches per epoch): small corpora give few optimiser steps per epoch. null = epochs as given. */
  minSteps: number | null;
  batchSize: number;
  sampling: SamplingMode;
  augmentation: AugmentationConfig;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  gradientClipNorm: number | null;
  divergence: DivergenceConfig;
  earlyStopping: EarlyStoppingConfig;
  bucketing: boolean;
  /** Bucketing sorts by length inside windows of this many batches of the shuffled list. */
  bucketWindowBatches: number;
  evalBatchSize: number;
}

/** The defaults (those of the JSON Schema). */
export const defaultTrainerConfig: TrainerConfig = Object.freeze({
  epochs: 30,
  minSteps: null,
  batchSize: 32,
  sampling: 'shuffle',
  augmentation: Object.freeze({ cropFrames: null, timeMasks: 0, timeMaskFrames: 20, freqMasks: 0, freqMaskBins: 8 }),
  optimizer: Object.freeze({ id: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }),
  schedule: Object.freeze({ id: 'constant' }),
  gradientClipNorm: null,
  divergence: Object.freeze({ factor: 100, steps: 20 }),
  earlyStopping: Object.freeze({ metric: 'ua', patience: 10, restoreBest: true }),
  bucketing: true,
  bucketWindowBatches: 20,
  evalBatchSize: 64,
}) as TrainerConfig;

const positive = { type: 'number', exclusiveMinimum: 0 };
const nonNegative = { type: 'number', minimum: 0 };

/** JSON Schema (draft 2020-12) of TrainerConfig; its defaults and descriptions are the documentation. */
export const trainerConfigSchema: JsonSchema = {
  $id: 'ser:trainer',
  type: 'object',
  description: 'Training loop settings: epochs, batches, optimiser, learning-rate schedule, clipping, early stopping.',
  additionalProperties: false,
  properties: {
    epochs: { type: 'integer', minimum: 1, default: 30, description: 'Maximum number of epochs (early stopping may end sooner).' },
    minSteps: {
      type: ['integer', 'null'],
      minimum: 1,
      default: null,
      description: 'Raise the epoch budget to at least ceil(minSteps / batches per epoch), so a small corpus still gets this many optimiser steps; null = epochs as given.',
    },
    batchSize: { type: 'integer', minimum: 1, default: 32, description: 'Utterances per training batch.' },
    sampling: {
      enum: ['shuffle', 'class-balanced'],
      default: 'shuffle',
      description: 'shuffle: each training example once per epoch. class-balanced: every class drawn as often as the largest one per epoch (smaller classes repeat, in a new random order each round).',
    },
    augmentation: {
      type: 'object',
      additionalProperties: false,
      default: { cropFrames: null, timeMasks: 0, timeMaskFrames: 20, freqMasks: 0, freqMaskBins: 8 },
      description: 'Training-time augmentation of the features (validation and test are never augmented): random crops and SpecAugment masks (Park et al., 2019).',
      properties: {
        cropFrames: {
          type: ['integer', 'null'],
          minimum: 1,
          default: null,
          description: 'Training utterances longer than this many frames are cut to a random window of this length, a new one each epoch; null = off.',
        },
        timeMasks: { type: 'integer', minimum: 0, default: 0, description: 'Time masks per training utterance: each sets 0..timeMaskFrames consecutive frames to 0 (the mean of normalised features).' },
        timeMaskFrames: { type: 'integer', minimum: 1, default: 20, description: 'Largest width of a time mask, in frames.' },
        freqMasks: { type: 'integer', minimum: 0, default: 0, description: 'Frequency masks per training utterance: each sets 0..freqMaskBins consecutive bins to 0.' },
        freqMaskBins: { type: 'integer', minimum: 1, default: 8, description: 'Largest width of a frequency mask, in bins.' },
      },
    },
    optimizer: {
      description: 'Optimiser; weight decay is decoupled (AdamW / SGDW style: p <- p * (1 - lr * weightDecay)) and applies to the model variables only, not to the loss variables.',
      default: { id: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: { const: 'adam', description: 'Adam (Kingma & Ba 2015) with bias correction.' },
            learningRate: { ...positive, default: 0.001, description: 'Base learning rate.' },
            beta1: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9, description: 'Decay of the first-moment average.' },
            beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.999, description: 'Decay of the second-moment average.' },
            epsilon: { ...positive, default: 1e-8, description: 'Added to sqrt(vHat) in the denominator.' },
            weightDecay: { ...nonNegative, default: 0, description: 'Decoupled weight decay per unit learning rate.' },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: { const: 'sgd', description: 'Stochastic gradient descent with (optionally Nesterov) momentum.' },
            learningRate: { ...positive, default: 0.01, description: 'Base learning rate.' },
            momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9, description: 'Momentum (buf <- momentum * buf + g); 0 = plain SGD.' },
            nesterov: { type: 'boolean', default: false, description: 'Nesterov momentum: step = g + momentum * buf.' },
            weightDecay: { ...nonNegative, default: 0, description: 'Decoupled weight decay per unit learning rate.' },
          },
        },
      ],
    },
    schedule: {
      description: 'Learning-rate schedule, evaluated once before each epoch.',
      default: { id: 'constant' },
      oneOf: [
        { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { const: 'constant', description: 'lr = learningRate.' } } },
        {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: { const: 'step', description: 'lr = learningRate * gamma ^ floor((epoch - 1) / everyEpochs).' },
            everyEpochs: { type: 'integer', minimum: 1, default: 10, description: 'Epochs between decays.' },
            gamma: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.1, description: 'Decay factor.' },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: { const: 'cosine', description: 'lr = min + (learningRate - min) * (1 + cos(pi * (epoch - 1) / epochs)) / 2.' },
            minLearningRate: { ...nonNegative, default: 0, description: 'Floor of the cosine.' },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: {
              const: 'warmup-cosine',
              description:
                'Set before every optimiser step s of S in all: lr = learningRate * s / W for the first W = ceil(warmupFraction * S) steps, then min + (learningRate - min) * (1 + cos(pi * (s - W) / (S - W))) / 2.',
            },
            warmupFraction: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.05, description: 'Fraction of all optimiser steps spent warming up linearly from 0.' },
            minLearningRate: { ...nonNegative, default: 0, description: 'The rate at the last step.' },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: { const: 'plateau', description: 'lr *= factor after `patience` epochs without improvement of the early-stopping metric on validation.' },
            factor: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.5, description: 'Multiplier applied on a plateau.' },
            patience: { type: 'integer', minimum: 0, default: 3, description: 'Epochs without improvement before reducing.' },
            minLearningRate: { ...nonNegative, default: 0, description: 'The rate never goes below this.' },
          },
        },
      ],
    },
    gradientClipNorm: {
      type: ['number', 'null'],
      exclusiveMinimum: 0,
      default: null,
      description: 'Clip all gradients (model and loss) together by global L2 norm: g <- g * c / max(||g||, c); null = off.',
    },
    divergence: {
      type: 'object',
      additionalProperties: false,
      default: { factor: 100, steps: 20 },
      description:
        "A cell is stored as diverged when its training loss is NaN or infinite, or stays above factor x the first step's loss for `steps` optimiser steps in a row (a finite blow-up that trains to chance).",
      properties: {
        factor: { type: ['number', 'null'], exclusiveMinimum: 1, default: 100, description: "Multiple of the first step's training loss; null = only a non-finite loss counts." },
        steps: { type: 'integer', minimum: 1, default: 20, description: 'Consecutive optimiser steps above factor x the first loss before the run is stopped as diverged.' },
      },
    },
    earlyStopping: {
      type: 'object',
      additionalProperties: false,
      default: { metric: 'ua', patience: 10, restoreBest: true },
      description: 'Best-epoch selection and early stopping on the validation split (never the test split).',
      properties: {
        metric: { enum: ['ua', 'wa', 'macroF1', 'loss'], default: 'ua', description: 'Validation metric; higher is better except loss.' },
        patience: { type: ['integer', 'null'], minimum: 1, default: 10, description: 'Stop after this many epochs without improvement; null = never stop early.' },
        restoreBest: {
          type: 'boolean',
          default: true,
          description: "true: the best validation epoch's weights are scored on test; false: the last epoch's (validation then only monitors; with few validation speakers the best epoch is a noisy pick).",
        },
      },
    },
    bucketing: { type: 'boolean', default: true, description: 'Batch utterances of similar length together (less padding).' },
    bucketWindowBatches: {
      type: 'integer',
      minimum: 1,
      default: 20,
      description: 'Bucketing sorts by length inside windows of this many batches of the shuffled list, then shuffles the batch order.',
    },
    evalBatchSize: { type: 'integer', minimum: 1, default: 64, description: 'Utterances per batch when scoring validation and test.' },
  },
};

const optimizerDefaults = {
  adam: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
  sgd: { learningRate: 0.01, momentum: 0.9, nesterov: false, weightDecay: 0 },
} as const;
const scheduleDefaults = {
  constant: {},
  step: { everyEpochs: 10, gamma: 0.1 },
  cosine: { minLearningRate: 0 },
  'warmup-cosine': { warmupFraction: 0.05, minLearningRate: 0 },
  plateau: { factor: 0.5, patience: 3, minLearningRate: 0 },
} as const;

let validator: ((v: unknown) => boolean) & { errors?: unknown } | undefined;

/**
 * Fills defaults into a partial trainer config (each optimiser / schedule id has its own) and
 * validates the result against trainerConfigSchema; throws SerError CONFIG_INVALID naming the field.
 */
export function resolveTrainerConfig(partial: Partial<Record<keyof TrainerConfig, unknown>> = {}): TrainerConfig {
  const p = partial as Record<string, any>;
  const opt = (p.optimizer ?? {}) as Record<string, unknown>;
  const optId = (opt.id ?? defaultTrainerConfig.optimizer.id) as keyof typeof optimizerDefaults;
  const sch = (p.schedule ?? {}) as Record<string, unknown>;
  const schId = (sch.id ?? defaultTrainerConfig.schedule.id) as keyof typeof scheduleDefaults;
  const config = {
    ...defaultTrainerConfig,
    ...p,
    optimizer: { id: optId, ...(optimizerDefaults[optId] ?? {}), ...opt },
    schedule: { id: schId, ...(scheduleDefaults[schId] ?? {}), ...sch },
    earlyStopping: { ...defaultTrainerConfig.earlyStopping, ...(p.earlyStopping ?? {}) },
    augmentation: { ...defaultTrainerConfig.augmentation, ...(p.augmentation ?? {}) },
    divergence: { ...defaultTrainerConfig.divergence, ...(p.divergence ?? {}) },
  };
  validateTrainerConfig(config);
  return config as TrainerConfig;
}

/** Throws SerError CONFIG_INVALID unless `config` is a complete, valid TrainerConfig. */
export function validateTrainerConfig(config: unknown): asserts config is TrainerConfig {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    validator = ajv.compile(trainerConfigSchema);
  }
  if (!validator(config)) {
    const errors = (validator.errors ?? []) as { instancePath: string; message?: string; params?: unknown }[];
    // oneOf reports one error per branch; the ones about the branch the id picked are the useful ones
    const lines = errors
      .filter((e) => !/must match exactly one schema|must be equal to constant/.test(e.message ?? ''))
      .map((e) => `trainer${e.instancePath.replace(/\//g, '.')}: ${e.message} ${e.params ? JSON.stringify(e.params) : ''}`.trim());
    const text = (lines.length > 0 ? lines : errors.map((e) => `trainer${e.instancePath.replace(/\//g, '.')}: ${e.message}`)).join('; ');
    throw new SerError('CONFIG_INVALID', `Invalid trainer config: ${text}. See trainerConfigSchema in @ser/trainer for the keys and their ranges.`, {
      details: { errors },
    });
  }
}
