// The `trainer` key of an experiment, declared once: the JSON Schema below is what the config loader
// validates and editors show, and TrainerConfig is derived from it.
import type { NumberOptions, Static } from '@sinclair/typebox';
import { SerError, deepFreeze } from '@ser/core';
import { Type, choice, compileConfigValidator, configObject, fillDefaultIds, nullable, oneOfById, schemaDefaults } from '@ser/core/config-schema';

const num = (description: string, def: number, range: NumberOptions = {}) => Type.Number({ description, default: def, ...range });
const int = (description: string, def: number, range: NumberOptions = {}) => Type.Integer({ description, default: def, ...range });

const learningRate = (def: number) => num('Base learning rate.', def, { exclusiveMinimum: 0 });
const weightDecay = num(
  'Decoupled weight decay per unit learning rate (AdamW / SGDW: p <- p * (1 - lr * weightDecay)), applied to the model variables only, not to the loss variables; not an L2 term in the loss.',
  0,
  { minimum: 0 },
);

/** Adam (Kingma & Ba) with decoupled weight decay (AdamW, Loshchilov & Hutter): p <- p * (1 - lr * weightDecay) - lr * mHat / (sqrt(vHat) + epsilon). */
const adamSchema = configObject(
  {
    id: Type.Literal('adam'),
    learningRate: learningRate(1e-3),
    beta1: num('Decay of the first-moment average.', 0.9, { minimum: 0, exclusiveMaximum: 1 }),
    beta2: num('Decay of the second-moment average.', 0.999, { minimum: 0, exclusiveMaximum: 1 }),
    epsilon: num('Added to sqrt(vHat) in the denominator (PyTorch default).', 1e-8, { exclusiveMinimum: 0 }),
    weightDecay,
  },
  { required: ['id'], description: 'Adam (Kingma & Ba 2015) with bias correction.' },
);

/** SGD with momentum (PyTorch's form: buf <- momentum * buf + g) and decoupled weight decay: p <- p * (1 - lr * weightDecay) - lr * step. */
const sgdSchema = configObject(
  {
    id: Type.Literal('sgd'),
    learningRate: learningRate(1e-2),
    momentum: num('Momentum (buf <- momentum * buf + g); 0 = plain SGD.', 0.9, { minimum: 0, exclusiveMaximum: 1 }),
    nesterov: Type.Boolean({ default: false, description: 'Nesterov momentum: step = g + momentum * buf.' }),
    weightDecay,
  },
  { required: ['id'], description: 'Stochastic gradient descent with (optionally Nesterov) momentum.' },
);

const optimizerSchema = oneOfById([adamSchema, sgdSchema], {
  description: 'The optimiser; weight decay is decoupled and applies to the model variables only, not to the loss variables.',
  default: { id: 'adam' },
});

/** Learning-rate schedules: set before each epoch, except warmup-cosine (before each optimiser step). */
const scheduleSchema = oneOfById(
  [
    configObject({ id: Type.Literal('constant') }, { required: ['id'], description: 'lr = learningRate.' }),
    configObject(
      {
        id: Type.Literal('step'),
        everyEpochs: int('Epochs between decays.', 10, { minimum: 1 }),
        gamma: num('Decay factor.', 0.1, { exclusiveMinimum: 0, maximum: 1 }),
      },
      {
        required: ['id'],
        description: 'lr = learningRate * gamma ^ floor((epoch - 1) / everyEpochs), epochs counted from 1: the first decay is in epoch everyEpochs + 1.',
      },
    ),
    configObject(
      { id: Type.Literal('cosine'), minLearningRate: num('The floor the cosine approaches (reached one epoch after the last).', 0, { minimum: 0 }) },
      { required: ['id'], description: 'lr = min + (learningRate - min) * (1 + cos(pi * (epoch - 1) / epochs)) / 2, epochs counted from 1.' },
    ),
    configObject(
      {
        id: Type.Literal('warmup-cosine'),
        warmupFraction: num('Fraction of all optimiser steps spent warming up linearly from 0.', 0.05, { minimum: 0, exclusiveMaximum: 1 }),
        minLearningRate: num('The rate at the last step.', 0, { minimum: 0 }),
      },
      {
        required: ['id'],
        description:
          'Set before every optimiser step s of S in all: lr = learningRate * s / W for the first W = ceil(warmupFraction * S) steps, then min + (learningRate - min) * (1 + cos(pi * (s - W) / (S - W))) / 2.',
      },
    ),
    configObject(
      {
        id: Type.Literal('plateau'),
        factor: num('Multiplier applied on a plateau.', 0.5, { exclusiveMinimum: 0, exclusiveMaximum: 1 }),
        patience: int('Epochs without improvement before reducing.', 3, { minimum: 0 }),
        minLearningRate: num('The rate never goes below this.', 0, { minimum: 0 }),
      },
      { required: ['id'], description: 'lr *= factor after `patience` epochs without improvement of the early-stopping metric on validation.' },
    ),
  ],
  { description: 'Learning-rate schedule.', default: { id: 'constant' } },
);

/**
 * Training-time augmentation of the feature matrices (never of validation or test): a random crop
 * of long utterances and SpecAugment-style masks (Park et al., Interspeech 2019), drawn from the
 * trainer's seeded RNG so a resumed run draws the same.
 */
const augmentationSchema = configObject(
  {
    cropFrames: nullable(Type.Integer({ minimum: 1 }), {
      default: null,
      description: 'Training utterances longer than this many frames are cut to a random window of this length, a new one each epoch; null = off.',
    }),
    timeMasks: int('Time masks per training utterance: each sets 0..timeMaskFrames consecutive frames to 0 (the mean of normalised features).', 0, {
      minimum: 0,
    }),
    timeMaskFrames: int('Largest width of a time mask, in frames.', 20, { minimum: 1 }),
    freqMasks: int('Frequency masks per training utterance: each sets 0..freqMaskBins consecutive bins to 0.', 0, { minimum: 0 }),
    freqMaskBins: int('Largest width of a frequency mask, in bins.', 8, { minimum: 1 }),
  },
  {
    default: {},
    description: 'Training-time augmentation of the features (validation and test never are): random crops and SpecAugment masks (Park et al., 2019).',
  },
);

/**
 * When a run counts as diverged besides a NaN/Inf loss: the training loss stayed above factor x its
 * first step's value for `steps` optimiser steps in a row (a finite blow-up, e.g. a learning rate
 * far too high, trains to chance while its loss is 1e8).
 */
const divergenceSchema = configObject(
  {
    factor: nullable(Type.Number({ exclusiveMinimum: 1 }), {
      default: 100,
      description: "Multiple of the first step's training loss; null = only a non-finite loss counts.",
    }),
    steps: int('Consecutive optimiser steps above factor x the first loss before the run is stopped as diverged.', 20, { minimum: 1 }),
  },
  {
    default: {},
    description:
      "A cell is stored as diverged when its training loss is NaN or infinite, or stays above factor x the first step's loss for `steps` optimiser steps in a row (a finite blow-up that trains to chance).",
  },
);

/** Early stopping and best-checkpoint selection; always on the validation split, never the test split. */
const earlyStoppingSchema = configObject(
  {
    metric: choice(['ua', 'wa', 'macroF1', 'loss'], { default: 'ua', description: 'Validation metric that selects the epoch; higher is better except loss.' }),
    patience: nullable(Type.Integer({ minimum: 1 }), { default: 10, description: 'Stop after this many epochs without improvement; null = run all epochs.' }),
    restoreBest: Type.Boolean({
      default: true,
      description:
        "true: the best validation epoch's weights are scored on test; false: the last epoch's (validation then only monitors; with few validation speakers the best epoch is a noisy pick).",
    }),
  },
  { default: {}, description: 'Best-epoch selection and early stopping on the validation split (never the test split).' },
);

/** JSON Schema (draft 2020-12) of the `trainer` key; its defaults and descriptions are the documentation. */
export const trainerConfigSchema = configObject(
  {
    epochs: int('Maximum number of epochs (early stopping may end sooner).', 30, { minimum: 1 }),
    minSteps: nullable(Type.Integer({ minimum: 1 }), {
      default: null,
      description:
        'Raise the epoch budget to at least ceil(minSteps / batches per epoch), so a small corpus still gets this many optimiser steps; null = epochs as given.',
    }),
    batchSize: int('Utterances per training batch.', 32, { minimum: 1 }),
    sampling: choice(['shuffle', 'class-balanced'], {
      default: 'shuffle',
      description:
        'shuffle: each training example once per epoch. class-balanced: every class drawn as often as the largest one per epoch (smaller classes repeat, in a new random order each round).',
    }),
    augmentation: augmentationSchema,
    optimizer: optimizerSchema,
    schedule: scheduleSchema,
    gradientClipNorm: nullable(Type.Number({ exclusiveMinimum: 0 }), {
      default: null,
      description: 'Clip all gradients (model and loss) together by global L2 norm: g <- g * c / max(||g||, c); null = off.',
    }),
    divergence: divergenceSchema,
    earlyStopping: earlyStoppingSchema,
    bucketing: Type.Boolean({ default: true, description: 'Batch utterances of similar length together (less padding).' }),
    bucketWindowBatches: int('Bucketing sorts by length inside windows of this many batches of the shuffled list, then shuffles the batch order.', 20, {
      minimum: 1,
    }),
    evalBatchSize: int('Utterances per batch when scoring validation and test.', 64, { minimum: 1 }),
  },
  { default: {}, description: 'Training loop settings: epochs, batches, optimiser, learning-rate schedule, clipping, early stopping.' },
);

/** The `trainer` key of an experiment, every default filled in. */
export type TrainerConfig = Static<typeof trainerConfigSchema>;
export type OptimizerConfig = TrainerConfig['optimizer'];
export type AdamConfig = Static<typeof adamSchema>;
export type SgdConfig = Static<typeof sgdSchema>;
export type ScheduleConfig = TrainerConfig['schedule'];
export type AugmentationConfig = TrainerConfig['augmentation'];
export type DivergenceConfig = TrainerConfig['divergence'];
export type EarlyStoppingConfig = TrainerConfig['earlyStopping'];
/** How an epoch's training examples are drawn: each once (shuffle), or every class as often as the largest (class-balanced). */
export type SamplingMode = TrainerConfig['sampling'];

/** The defaults of trainerConfigSchema. */
export const defaultTrainerConfig: Readonly<TrainerConfig> = deepFreeze(schemaDefaults(trainerConfigSchema));

let validate: ((value: unknown) => { instancePath: string; message?: string; params?: unknown }[]) | undefined;

/**
 * Fills the schema's defaults into a partial trainer config (each optimiser / schedule id has its
 * own) and validates it; throws SerError CONFIG_INVALID naming the field.
 */
export function resolveTrainerConfig(partial: Record<string, unknown> = {}): TrainerConfig {
  const config = structuredClone(partial);
  // a block chosen by id may leave the id out (as in an experiment file): it gets the default id
  fillDefaultIds(trainerConfigSchema, config);
  validateTrainerConfig(config);
  return config;
}

/** Throws SerError CONFIG_INVALID unless `config` is a valid TrainerConfig (defaults are filled into it in place where missing). */
export function validateTrainerConfig(config: unknown): asserts config is TrainerConfig {
  validate ??= compileConfigValidator(trainerConfigSchema);
  const errors = validate(config);
  if (errors.length === 0) return;
  // oneOf reports one error per branch; the ones about the branch the id picked are the useful ones
  const lines = errors
    .filter((e) => !/must match exactly one schema|must be equal to constant/.test(e.message ?? ''))
    .map((e) => `trainer${e.instancePath.replace(/\//g, '.')}: ${e.message} ${e.params ? JSON.stringify(e.params) : ''}`.trim());
  const text = (lines.length > 0 ? lines : errors.map((e) => `trainer${e.instancePath.replace(/\//g, '.')}: ${e.message}`)).join('; ');
  throw new SerError('CONFIG_INVALID', `Invalid trainer config: ${text}. See trainerConfigSchema in @ser/trainer for the keys and their ranges.`, {
    details: { errors },
  });
}
