// The resolved experiment config: every default filled in, frozen after validation. The shapes
// mirror docs/architecture.md (FeatureConfig, ProtocolConfig, TrainerConfig) key for key; they
// are declared here because config must not depend on the packages that consume them.
import type { JsonSchema } from '@ser/core';

/** Spectrogram parameters (docs/architecture.md, @ser/features). */
export interface FeatureConfig {
  /** Audio is resampled to this rate (Hz); 16000 in the paper. */
  sampleRateHz: number;
  kind: 'logmel' | 'stft' | 'mfcc';
  /** Analysis window length (ms); 40 in the paper. */
  windowMs: number;
  /** Frame hop (ms); 10 in the paper. */
  hopMs: number;
  /** FFT length in samples; null = next power of two >= window length. */
  nFft: number | null;
  window: 'hamming' | 'hann';
  /** librosa-style reflect padding of half a window at both ends. */
  center: boolean;
  /** y[n] = x[n] - preEmphasis * x[n-1]; 0 = off, 0.97 typical. */
  preEmphasis: number;
  spectrum: 'magnitude' | 'power';
  nMels: number;
  fMinHz: number;
  /** null = sampleRateHz / 2. */
  fMaxHz: number | null;
  melScale: 'slaney' | 'htk';
  melNorm: 'slaney' | 'none';
  /** db: 10*log10(max(x, floor)) for power (20*log10 for magnitude), clipped to max - topDb. */
  compression: { type: 'db' | 'log' | 'none'; floor: number; topDb: number | null };
  /** Used when kind = 'mfcc'. */
  nMfcc: number;
  /** global: mean/var of the training fold only; speaker: of each speaker's own utterances (test speakers' unlabelled audio included). */
  normalisation: 'none' | 'utterance' | 'global' | 'speaker';
  /** Leading and trailing frames more than this many dB below the loudest frame are dropped; null = off. */
  trimSilenceDb: number | null;
  /** null = variable length kept. */
  segment: null | { frames: number; hopFrames: number };
}

/** How a corpus is split into folds (docs/architecture.md, @ser/dataset-core). */
export interface ProtocolConfig {
  id: 'leave-one-session-out' | 'leave-one-speaker-out' | 'speaker-k-fold' | 'split-file';
  /** speaker-k-fold only. */
  k?: number;
  /** split-file only: JSON or CSV of id -> train|validation|test. */
  file?: string;
  /** Speakers moved from the training side to validation. */
  validationSpeakers: number;
}

export type AdamConfig = { id: 'adam'; learningRate: number; beta1: number; beta2: number; epsilon: number; weightDecay: number };
export type SgdConfig = { id: 'sgd'; learningRate: number; momentum: number; nesterov: boolean; weightDecay: number };
export type ScheduleConfig =
  | { id: 'constant' }
  | { id: 'step'; everyEpochs: number; gamma: number }
  | { id: 'cosine'; minLearningRate: number }
  | { id: 'warmup-cosine'; warmupFraction: number; minLearningRate: number }
  | { id: 'plateau'; factor: number; patience: number; minLearningRate: number };

/** The `trainer` key (docs/architecture.md, @ser/trainer). */
export interface TrainerConfig {
  /** Maximum epochs. */
  epochs: number;
  /** The epoch budget is raised to at least ceil(minSteps / batches per epoch); null = epochs as given. */
  minSteps: number | null;
  batchSize: number;
  sampling: 'shuffle' | 'class-balanced';
  /** Training only: random crops to cropFrames (null = off) and SpecAugment time / frequency masks. */
  augmentation: { cropFrames: number | null; timeMasks: number; timeMaskFrames: number; freqMasks: number; freqMaskBins: number };
  optimizer: AdamConfig | SgdConfig;
  schedule: ScheduleConfig;
  /** Global-norm clipping; null = off. */
  gradientClipNorm: number | null;
  /** Diverged: NaN/Inf loss, or above factor x the first step's loss for `steps` steps in a row (factor null: only NaN/Inf). */
  divergence: { factor: number | null; steps: number };
  /** On validation, never test; patience null = never stop early. */
  earlyStopping: { metric: 'ua' | 'wa' | 'macroF1' | 'loss'; patience: number | null; restoreBest: boolean };
  /** Batches of similar length (little padding). */
  bucketing: boolean;
  /** Bucketing sorts by length inside windows of this many batches (an addition of @ser/trainer to the documented shape). */
  bucketWindowBatches: number;
  evalBatchSize: number;
}

/** A plugin block: the plugin id plus that plugin's own (validated) keys. */
export interface PluginConfig {
  id: string;
  [key: string]: unknown;
}

/** The `dataset` key: the dataset plugin's keys plus the core protocol and bad-audio policy. */
export interface DatasetConfig extends PluginConfig {
  protocol: ProtocolConfig;
  /** skip: drop unreadable/empty/silent files with a warning; stop: fail the cell (as @ser/features' extractCorpus). */
  onBadAudio: 'skip' | 'stop';
}

export type EngineBackend = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

/** What to run: sweep points (grid x zip, then points) crossed by the runner with folds and seeds. */
export interface SweepSpec {
  /** Dotted key path -> values; cartesian product in key order (first key varies slowest). */
  grid: Record<string, unknown[]>;
  /** Explicit points (dotted key path -> value), appended after the grid points. */
  points: Array<Record<string, unknown>>;
  /** Dotted key path -> values, varied together (equal lengths); crossed with the grid. */
  zip: Record<string, unknown[]>;
  /** 'all', a list of fold names, or the first N folds. */
  folds: 'all' | string[] | number;
  /** Defaults to [seed]. */
  seeds: number[];
  /** Retries of infrastructure failures only. */
  retries: number;
}

/** A resolved experiment (docs/architecture.md "Experiment config"). */
export interface ExperimentConfig {
  name: string;
  description: string;
  seed: number;
  engine: { backend: EngineBackend };
  dataset: DatasetConfig;
  features: FeatureConfig;
  model: PluginConfig;
  loss: PluginConfig;
  trainer: TrainerConfig;
  sweep: SweepSpec;
  /** dir defaults to results/<name>, relative to the working directory. */
  output: { dir: string };
}

/** What config needs to know of a plugin: its id, one-line description and config JSON Schema (without `id`). */
export interface PluginSchemaEntry {
  readonly id: string;
  readonly description: string;
  readonly schema: JsonSchema;
}

/** The registered plugins' schemas (the CLI's explicit plugin list, reduced to what config needs). */
export interface PluginSchemas {
  readonly datasets: readonly PluginSchemaEntry[];
  readonly models: readonly PluginSchemaEntry[];
  readonly losses: readonly PluginSchemaEntry[];
}

/** Where a value was written: a YAML file position (1-based), a command-line override, or nowhere known. */
export type SourceLocation =
  | { kind: 'file'; file: string; line: number; column: number }
  | { kind: 'override'; text: string }
  | { kind: 'unknown' };

/** One problem found in a config, with its position and the formatted one-line text. */
export interface ConfigProblem {
  code: 'CONFIG_INVALID' | 'CONFIG_NOT_FOUND' | 'CONFIG_YAML_SYNTAX';
  /** Dotted key path ('loss.lambda'), '' for the whole file. */
  path: string;
  /** What was expected and what was found. */
  message: string;
  source: SourceLocation;
  /** `file:line:column path: message`, as printed. */
  text: string;
}

/** The result of loadExperiment. */
export interface LoadedExperiment {
  /** Deep-frozen, every default filled in. */
  readonly config: ExperimentConfig;
  /** stableHash (sha256 hex) of the canonical JSON of config. */
  readonly hash: string;
  /** Absolute path of the experiment file. */
  readonly file: string;
  /** Dotted key path -> where its value was written (values filled by defaults have no entry). */
  readonly sources: Readonly<Record<string, SourceLocation>>;
  /** Key paths dropped because a later layer switched their block's plugin id (e.g. loss.alpha when loss.id became softmax). */
  readonly dropped: readonly string[];
}
