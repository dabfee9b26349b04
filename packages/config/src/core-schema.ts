// The core part of the experiment schema: every key that is not a plugin's own. Defaults here are
// the framework's defaults (docs/architecture.md); descriptions are what editors show on hover.
import type { JsonSchema } from '@ser/core';

const num = (description: string, def: number, range: Record<string, number> = {}): JsonSchema => ({
  type: 'number',
  description,
  default: def,
  ...range,
});
const int = (description: string, def: number, range: Record<string, number> = {}): JsonSchema => ({
  type: 'integer',
  description,
  default: def,
  ...range,
});
const choice = (description: string, values: string[], def: string): JsonSchema => ({ type: 'string', enum: values, description, default: def });

/** features: the paper's log-Mel (16 kHz, 40 ms Hamming, 10 ms hop, 128 Mel bands, power spectrum in dB). */
export const featureSchema: JsonSchema = {
  type: 'object',
  description: 'Spectrogram parameters (audio -> [frames, bins]).',
  default: {},
  additionalProperties: false,
  properties: {
    sampleRateHz: int('Audio is resampled to this rate (Hz).', 16000, { minimum: 1000 }),
    kind: choice('Feature kind.', ['logmel', 'stft', 'mfcc'], 'logmel'),
    windowMs: num('Analysis window length in ms (40 in Dai et al. 2019).', 40, { exclusiveMinimum: 0 }),
    hopMs: num('Frame hop in ms.', 10, { exclusiveMinimum: 0 }),
    nFft: {
      type: ['integer', 'null'],
      minimum: 16,
      default: null,
      description: 'FFT length in samples; null = the next power of two >= the window length.',
    },
    window: choice('Window function.', ['hamming', 'hann'], 'hamming'),
    center: { type: 'boolean', default: false, description: 'Reflect-pad half a window at both ends (librosa center=True).' },
    preEmphasis: num('y[n] = x[n] - preEmphasis * x[n-1]; 0 = off, 0.97 typical.', 0, { minimum: 0, exclusiveMaximum: 1 }),
    spectrum: choice('|X| (magnitude) or |X|^2 (power).', ['magnitude', 'power'], 'power'),
    nMels: int('Mel bands (kind logmel or mfcc).', 128, { minimum: 1 }),
    fMinHz: num('Lowest Mel filter edge in Hz.', 0, { minimum: 0 }),
    fMaxHz: {
      type: ['number', 'null'],
      exclusiveMinimum: 0,
      default: null,
      description: 'Highest Mel filter edge in Hz; null = sampleRateHz / 2.',
    },
    melScale: choice('Mel scale formula.', ['slaney', 'htk'], 'slaney'),
    melNorm: choice('Mel filter normalisation (slaney: area 1 per band).', ['slaney', 'none'], 'slaney'),
    compression: {
      type: 'object',
      description: 'Amplitude compression.',
      default: {},
      additionalProperties: false,
      properties: {
        type: choice('db: 10*log10 (power) or 20*log10 (magnitude); log: natural log.', ['db', 'log', 'none'], 'db'),
        floor: num('Values are clipped to at least this before the logarithm.', 1e-10, { exclusiveMinimum: 0 }),
        topDb: {
          type: ['number', 'null'],
          exclusiveMinimum: 0,
          default: null,
          description: 'Clip to (max - topDb) dB per utterance; null = no clipping.',
        },
      },
    },
    nMfcc: int('Cepstral coefficients (kind mfcc).', 40, { minimum: 1 }),
    normalisation: choice(
      "Per-bin mean/variance normalisation. utterance: each utterance by itself (removes loudness, spectral tilt and pitch range with the speaker). global: statistics of the training fold only. speaker: each speaker by the statistics of all of that speaker's utterances in the fold -- the test speakers' too (their audio, never their labels), i.e. speaker-level normalisation, which assumes some unlabelled audio of every test speaker is at hand.",
      ['none', 'utterance', 'global', 'speaker'],
      'utterance',
    ),
    trimSilenceDb: {
      type: ['number', 'null'],
      exclusiveMinimum: 0,
      default: null,
      description:
        "Silence trimming: leading and trailing frames whose energy (mean square of the windowed samples) is more than this many dB below the utterance's loudest frame are dropped, as librosa.effects.trim(top_db); null = off. 40 keeps soft speech and drops room noise before and after it.",
    },
    segment: {
      type: ['object', 'null'],
      default: null,
      description:
        'Cut utterances into fixed-length segments; null = variable length kept. Segments start every hopFrames frames while frames remain uncovered; the last keeps only its real frames (masked), and an utterance shorter than one segment gives one. Each segment trains with its utterance\'s label; validation and test score each utterance by the mean of its segments\' class probabilities.',
      additionalProperties: false,
      required: ['frames', 'hopFrames'],
      properties: {
        frames: { type: 'integer', minimum: 1, description: 'Frames per segment.' },
        hopFrames: { type: 'integer', minimum: 1, description: 'Frames between segment starts.' },
      },
    },
  },
};

const validationSpeakers = int('Speakers moved from the training side to validation.', 1, { minimum: 0 });

/** dataset.protocol: how the corpus is split into folds. */
export const protocolSchema: JsonSchema = {
  type: 'object',
  description: 'How the corpus is split into folds (validation speakers come from the training side).',
  default: { id: 'leave-one-speaker-out' },
  discriminator: { propertyName: 'id' },
  required: ['id'],
  oneOf: [
    {
      type: 'object',
      description: 'One fold per recording session (IEMOCAP: 5 folds).',
      additionalProperties: false,
      required: ['id'],
      properties: { id: { const: 'leave-one-session-out' }, validationSpeakers },
    },
    {
      type: 'object',
      description: 'One fold per speaker.',
      additionalProperties: false,
      required: ['id'],
      properties: { id: { const: 'leave-one-speaker-out' }, validationSpeakers },
    },
    {
      type: 'object',
      description: 'Speakers split into k groups, one fold per group.',
      additionalProperties: false,
      required: ['id', 'k'],
      properties: { id: { const: 'speaker-k-fold' }, k: int('Number of speaker groups (folds).', 5, { minimum: 2 }), validationSpeakers },
    },
    {
      type: 'object',
      description: 'A fixed split read from a file.',
      additionalProperties: false,
      required: ['id', 'file'],
      properties: {
        id: { const: 'split-file' },
        file: { type: 'string', minLength: 1, description: 'JSON or CSV of utterance id -> train|validation|test.' },
        validationSpeakers,
      },
    },
  ],
};

/** The core keys every dataset block has besides the plugin's own. */
export const datasetCoreProperties: Record<string, JsonSchema> = {
  protocol: protocolSchema,
  onBadAudio: choice('Unreadable, empty, truncated, silent or non-finite audio: skip the file (logged) or stop the cell.', ['skip', 'stop'], 'skip'),
};

const learningRate = (def: number): JsonSchema => num('Initial learning rate.', def, { exclusiveMinimum: 0 });
const weightDecay = num('Decoupled weight decay per unit learning rate (AdamW / SGDW: p <- p * (1 - lr * weightDecay)), on the model variables only, not the loss variables.', 0, { minimum: 0 });

/** trainer: optimiser, schedule, batches, early stopping. */
export const trainerSchema: JsonSchema = {
  type: 'object',
  description: 'Training loop settings.',
  default: {},
  additionalProperties: false,
  properties: {
    epochs: int('Maximum epochs.', 30, { minimum: 1 }),
    minSteps: {
      type: ['integer', 'null'],
      minimum: 1,
      default: null,
      description: 'Raise the epoch budget to at least ceil(minSteps / batches per epoch), so a small corpus still gets this many optimiser steps; null = epochs as given.',
    },
    batchSize: int('Training batch size (utterances).', 32, { minimum: 1 }),
    sampling: choice(
      'shuffle: each training example once per epoch. class-balanced: every class drawn as often as the largest one per epoch (smaller classes repeat, in a new random order each round).',
      ['shuffle', 'class-balanced'],
      'shuffle',
    ),
    augmentation: {
      type: 'object',
      description: 'Training-time augmentation of the features (validation and test never): random crops and SpecAugment masks (Park et al., 2019).',
      default: {},
      additionalProperties: false,
      properties: {
        cropFrames: {
          type: ['integer', 'null'],
          minimum: 1,
          default: null,
          description: 'Training utterances longer than this many frames are cut to a random window of this length, a new one each epoch; null = off.',
        },
        timeMasks: int('Time masks per training utterance: each sets 0..timeMaskFrames consecutive frames to 0 (the mean of normalised features).', 0, { minimum: 0 }),
        timeMaskFrames: int('Largest width of a time mask, in frames.', 20, { minimum: 1 }),
        freqMasks: int('Frequency masks per training utterance: each sets 0..freqMaskBins consecutive bins to 0.', 0, { minimum: 0 }),
        freqMaskBins: int('Largest width of a frequency mask, in bins.', 8, { minimum: 1 }),
      },
    },
    optimizer: {
      type: 'object',
      description: 'The optimiser.',
      default: { id: 'adam' },
      discriminator: { propertyName: 'id' },
      required: ['id'],
      oneOf: [
        {
          type: 'object',
          description: 'Adam (Kingma & Ba 2015).',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: { const: 'adam' },
            learningRate: learningRate(1e-3),
            beta1: num('First-moment decay.', 0.9, { minimum: 0, exclusiveMaximum: 1 }),
            beta2: num('Second-moment decay.', 0.999, { minimum: 0, exclusiveMaximum: 1 }),
            epsilon: num('Denominator epsilon (PyTorch default).', 1e-8, { exclusiveMinimum: 0 }),
            weightDecay,
          },
        },
        {
          type: 'object',
          description: 'Stochastic gradient descent.',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: { const: 'sgd' },
            learningRate: learningRate(1e-2),
            momentum: num('Momentum (buf <- momentum * buf + g); 0 = plain SGD.', 0.9, { minimum: 0, exclusiveMaximum: 1 }),
            nesterov: { type: 'boolean', default: false, description: 'Nesterov momentum.' },
            weightDecay,
          },
        },
      ],
    },
    schedule: {
      type: 'object',
      description: 'Learning-rate schedule.',
      default: { id: 'constant' },
      discriminator: { propertyName: 'id' },
      required: ['id'],
      oneOf: [
        { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { const: 'constant' } } },
        {
          type: 'object',
          description: 'lr = lr0 * gamma^floor((epoch - 1) / everyEpochs), epochs counted from 1.',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: { const: 'step' },
            everyEpochs: int('Epochs between decays.', 10, { minimum: 1 }),
            gamma: num('Decay factor.', 0.1, { exclusiveMinimum: 0, maximum: 1 }),
          },
        },
        {
          type: 'object',
          description: 'Cosine annealing from lr0 to minLearningRate over the epochs.',
          additionalProperties: false,
          required: ['id'],
          properties: { id: { const: 'cosine' }, minLearningRate: num('Final learning rate.', 0, { minimum: 0 }) },
        },
        {
          type: 'object',
          description:
            'Set before every optimiser step s of S in all: linear warm-up lr0 * s / W over the first W = ceil(warmupFraction * S) steps, then cosine annealing to minLearningRate at the last step.',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: { const: 'warmup-cosine' },
            warmupFraction: num('Fraction of all optimiser steps spent warming up linearly from 0.', 0.05, { minimum: 0, exclusiveMaximum: 1 }),
            minLearningRate: num('The rate at the last step.', 0, { minimum: 0 }),
          },
        },
        {
          type: 'object',
          description: 'Multiply by factor when the validation metric has not improved for patience epochs.',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: { const: 'plateau' },
            factor: num('Decay factor.', 0.5, { exclusiveMinimum: 0, exclusiveMaximum: 1 }),
            patience: int('Epochs without improvement before a decay.', 3, { minimum: 0 }),
            minLearningRate: num('Lower bound.', 0, { minimum: 0 }),
          },
        },
      ],
    },
    gradientClipNorm: {
      type: ['number', 'null'],
      exclusiveMinimum: 0,
      default: null,
      description: 'Clip gradients to this global L2 norm; null = off.',
    },
    divergence: {
      type: 'object',
      description:
        "A cell is stored as diverged when its training loss is NaN or infinite, or stays above factor x the first step's loss for `steps` optimiser steps in a row (a finite blow-up that trains to chance).",
      default: {},
      additionalProperties: false,
      properties: {
        factor: { type: ['number', 'null'], exclusiveMinimum: 1, default: 100, description: "Multiple of the first step's training loss; null = only a non-finite loss counts." },
        steps: int('Consecutive optimiser steps above factor x the first loss before the run is stopped as diverged.', 20, { minimum: 1 }),
      },
    },
    earlyStopping: {
      type: 'object',
      description: 'Model selection on the validation split (never test).',
      default: {},
      additionalProperties: false,
      properties: {
        metric: choice('Validation metric that selects the epoch.', ['ua', 'wa', 'macroF1', 'loss'], 'ua'),
        patience: {
          type: ['integer', 'null'],
          minimum: 1,
          default: 10,
          description: 'Stop after this many epochs without improvement; null = run all epochs.',
        },
        restoreBest: {
          type: 'boolean',
          default: true,
          description: "true: the best validation epoch's weights are scored on test; false: the last epoch's (validation then only monitors; with few validation speakers the best epoch is a noisy pick).",
        },
      },
    },
    bucketing: { type: 'boolean', default: true, description: 'Batch utterances of similar length (little padding).' },
    bucketWindowBatches: int('Bucketing sorts by length inside windows of this many batches of the shuffled list (@ser/trainer).', 20, { minimum: 1 }),
    evalBatchSize: int('Batch size for validation and test.', 64, { minimum: 1 }),
  },
};

const sweepValues: JsonSchema = { type: 'array', minItems: 1, description: 'Values of this key.' };

/** sweep: what to run. Folds and seeds are axes the runner crosses with every point. */
export const sweepSchema: JsonSchema = {
  type: 'object',
  description: 'Sweep: points = grid (cartesian) x zip (elementwise), then explicit points; each run on the folds x seeds.',
  default: {},
  additionalProperties: false,
  properties: {
    grid: {
      type: 'object',
      description: "Dotted key path -> values, e.g. { 'loss.lambda': [0, 0.001, 0.01] }; cartesian product in key order.",
      default: {},
      additionalProperties: sweepValues,
    },
    points: {
      type: 'array',
      description: "Explicit points appended after the grid, e.g. [ { 'loss.id': softmax } ].",
      default: [],
      items: { type: 'object', minProperties: 1 },
    },
    zip: {
      type: 'object',
      description: 'Dotted key path -> values of equal length, varied together; crossed with the grid.',
      default: {},
      additionalProperties: sweepValues,
    },
    folds: {
      description: "'all', a list of fold names, or a number N (the first N folds).",
      default: 'all',
      oneOf: [
        { const: 'all' },
        { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
        { type: 'integer', minimum: 1 },
      ],
    },
    seeds: {
      type: 'array',
      description: 'Seeds each point x fold runs with; default [seed].',
      items: { type: 'integer', minimum: 0 },
      minItems: 1,
      uniqueItems: true,
    },
    retries: int('Retries of infrastructure failures (crashed workers), never of diverged runs.', 1, { minimum: 0 }),
  },
};

/** Top-level keys other than the plugin blocks. */
export const coreTopProperties: Record<string, JsonSchema> = {
  name: {
    type: 'string',
    pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
    description: 'Experiment name (letters, digits, . _ -); results and output.dir refer to it.',
  },
  description: { type: 'string', default: '', description: 'Free text.' },
  seed: int('Base seed; sweep.seeds defaults to [seed].', 0, { minimum: 0, maximum: 4294967295 }),
  engine: {
    type: 'object',
    description: 'Compute engine.',
    default: {},
    additionalProperties: false,
    properties: {
      backend: choice(
        'TensorFlow.js backend; auto picks tfjs-node-gpu, then tfjs-node, then wasm (env SER_BACKEND overrides).',
        ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'],
        'auto',
      ),
    },
  },
  features: featureSchema,
  trainer: trainerSchema,
  sweep: sweepSchema,
  output: {
    type: 'object',
    description: 'Where results go.',
    default: {},
    additionalProperties: false,
    properties: { dir: { type: 'string', minLength: 1, description: 'Result folder; default results/<name>.' } },
  },
};

/** Groups a `defaults` mapping may pick pieces for (configs/<group>/<name>.yaml). */
export const DEFAULTS_GROUPS = ['dataset', 'features', 'model', 'loss', 'trainer', 'sweep', 'engine', 'output'] as const;
